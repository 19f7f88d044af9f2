import { DuckDBInstance } from '@duckdb/node-api';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { definitionBitsHeader, definitionRun, writeParquet, type ParquetColumn } from './parquet.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netledger-parquet-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

function utf8Values(texts: string[]): Uint8Array {
  const parts = texts.map((text) => Buffer.from(text, 'utf8'));
  const out = Buffer.alloc(parts.reduce((sum, part) => sum + 4 + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.writeUInt32LE(part.length, at);
    part.copy(out, at + 4);
    at += 4 + part.length;
  }
  return out;
}

async function readBack(path: string): Promise<{ types: string[]; rows: unknown[][] }> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  const read = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
  const result = { types: described.getRows().map((row) => `${row[0]} ${row[1]}`), rows: read.getRows() };
  connection.closeSync();
  instance.closeSync();
  return result;
}

describe('writeParquet', () => {
  it('writes columns DuckDB reads back with their types, values and NULLs', async () => {
    const rows = 11;
    const all = [definitionRun(rows, 1)];
    // Rows 1, 4 and 10 are NULL.
    const presence = 0b1111_1011_1101;
    const some = [definitionBitsHeader(rows), Uint8Array.of(presence & 0xff, presence >> 8)];
    const present = [...Array(rows).keys()].filter((row) => (presence >> row) & 1);
    const columns: ParquetColumn[] = [
      {
        name: 'd',
        type: 'double',
        definitionLevels: all,
        values: [bytes(Float64Array.from({ length: rows }, (_, i) => i / 4))],
      },
      {
        name: 'u16',
        type: 'uint16',
        definitionLevels: some,
        values: [bytes(Uint32Array.from(present, (i) => 65535 - i))],
      },
      {
        name: 'u32',
        type: 'uint32',
        definitionLevels: all,
        values: [bytes(Uint32Array.from({ length: rows }, (_, i) => 4294967295 - i))],
      },
      {
        name: 'u64',
        type: 'uint64',
        definitionLevels: all,
        values: [bytes(BigUint64Array.from({ length: rows }, (_, i) => 2n ** 64n - 1n - BigInt(i)))],
      },
      { name: 'nothing', type: 'uint32', definitionLevels: [definitionRun(rows, 0)], values: [] },
      {
        name: 'text',
        type: 'utf8',
        definitionLevels: some,
        values: [utf8Values(present.map((i) => `ü${i}"'`))],
      },
      // More than 14 columns: the schema list is written with the long list header.
      ...Array.from({ length: 12 }, (_, k): ParquetColumn => ({
        name: `c${k}`,
        type: 'uint32',
        definitionLevels: all,
        // Split in two parts, as chunks of rows are.
        values: [
          bytes(Uint32Array.from({ length: 5 }, (_, i) => k * 100 + i)),
          bytes(Uint32Array.from({ length: rows - 5 }, (_, i) => k * 100 + 5 + i)),
        ],
      })),
    ];
    const path = join(dir, 'test.parquet');
    const fd = openSync(path, 'w');
    writeParquet(fd, rows, columns);
    closeSync(fd);

    const { types, rows: read } = await readBack(path);
    expect(types.slice(0, 6)).toEqual([
      'd DOUBLE',
      'u16 USMALLINT',
      'u32 UINTEGER',
      'u64 UBIGINT',
      'nothing UINTEGER',
      'text VARCHAR',
    ]);
    expect(types).toHaveLength(18);
    expect(read).toHaveLength(rows);
    for (let i = 0; i < rows; i++) {
      const isPresent = ((presence >> i) & 1) === 1;
      expect(read[i]!.slice(0, 6)).toEqual([
        i / 4,
        isPresent ? 65535 - i : null,
        4294967295 - i,
        2n ** 64n - 1n - BigInt(i),
        null,
        isPresent ? `ü${i}"'` : null,
      ]);
      expect(read[i]!.slice(6)).toEqual(Array.from({ length: 12 }, (_, k) => k * 100 + i));
    }
  });
});
