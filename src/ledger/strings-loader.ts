/**
 * Loads the texts a source added to the `strings` dictionary through Parquet files, as flow-loader.ts
 * loads flows: DuckDB's appender stores each row on the calling thread (about 0.7 µs per text measured,
 * which a source of millions of distinct addresses, such as a tstat log, pays at the end of its ingest);
 * `INSERT … FROM read_parquet(…)` does the storing on a DuckDB thread, and JavaScript only encodes the
 * texts, one `write` each.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionRun, writeParquet } from './parquet.js';

/** Texts per file and statement: one DuckDB row group. */
const FILE_ROWS = 122_880;

/** Inserts `texts` into `strings` with ids `firstId`, `firstId + 1`, … (in the caller's transaction). */
export async function insertStrings(
  connection: DuckDBConnection,
  firstId: number,
  texts: readonly string[],
): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'netledger-strings-'));
  try {
    for (let from = 0; from < texts.length; from += FILE_ROWS) {
      const to = Math.min(texts.length, from + FILE_ROWS);
      const path = join(directory, `strings-${from / FILE_ROWS}.parquet`);
      writeStringsFile(path, firstId + from, texts, from, to);
      await connection.run(
        `INSERT INTO strings (id, value) SELECT id, value FROM read_parquet('${path.replace(/'/g, "''")}')`,
      );
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function writeStringsFile(path: string, firstId: number, texts: readonly string[], from: number, to: number) {
  const rows = to - from;
  const ids = new Uint32Array(rows);
  let length = 0;
  for (let i = 0; i < rows; i++) {
    ids[i] = firstId + i;
    length += 4 + Buffer.byteLength(texts[from + i]!);
  }
  const values = Buffer.allocUnsafe(length);
  let at = 0;
  for (let i = from; i < to; i++) {
    const written = values.write(texts[i]!, at + 4);
    values.writeUInt32LE(written, at);
    at += 4 + written;
  }
  const fd = openSync(path, 'w');
  try {
    writeParquet(fd, rows, [
      {
        name: 'id',
        type: 'uint32',
        definitionLevels: [definitionRun(rows, 1)],
        values: [new Uint8Array(ids.buffer)],
      },
      { name: 'value', type: 'utf8', definitionLevels: [definitionRun(rows, 1)], values: [values] },
    ]);
  } finally {
    closeSync(fd);
  }
}
