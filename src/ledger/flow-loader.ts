/**
 * Loads the flow rows of one source into DuckDB's `flows` table on a DuckDB thread, while JavaScript
 * keeps reading the source.
 *
 * DuckDB's appender does its share of the work (column segments, statistics) on the calling thread, so
 * with it reading records and storing them take turns. Here each batch of chunks is written as a Parquet
 * file (mostly the column arrays as they are, with one `writev`), and `INSERT … FROM read_parquet(…)`
 * runs on a thread of the pool while the next batch fills. The statements run one at a time on the
 * ledger's connection, inside the source's transaction. The files live in a temporary directory for the
 * length of the ingest.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowRows } from './flow-rows.js';
import { flowParquetColumns } from './flow-parquet.js';
import { writeParquet } from './parquet.js';

/**
 * Chunks per file and statement: 122,880 rows (about 7 MiB), one DuckDB row group, so that every
 * statement writes whole row groups (a smaller remainder would be a row group of its own).
 */
const STATEMENT_CHUNKS = 60;

export class FlowLoader {
  /** Rows waiting for the next statement. */
  private waiting: FlowRows[] = [];
  /** Emptied rows, for reuse. */
  private readonly spare: FlowRows[] = [];
  private running: Promise<void> | undefined;
  private directory: string | undefined;
  private files = 0;

  constructor(
    private readonly connection: DuckDBConnection,
    /** `source_id` of every row. */
    private readonly sourceId: number,
    /** Chunks per statement (tests make it small to run many statements on few rows). */
    private readonly statementChunks = STATEMENT_CHUNKS,
  ) {}

  /** Empty rows to fill. */
  readonly take = (): FlowRows => this.spare.pop() ?? new FlowRows();

  /** Queues filled rows; a statement starts when enough wait (see {@link pump}). */
  readonly add = (rows: FlowRows): void => {
    this.waiting.push(rows);
  };

  /** Call between batches: starts a statement when enough rows wait, after the running one has ended. */
  async pump(): Promise<void> {
    if (this.waiting.length >= this.statementChunks) await this.startNext();
  }

  /** Inserts what still waits and waits for it; rejects with DuckDB's error if a statement failed. */
  async finish(): Promise<void> {
    try {
      if (this.waiting.length > 0) await this.startNext();
      await this.running;
    } finally {
      this.running = undefined;
      this.removeFiles();
    }
  }

  /** After a failure: waits for the running statement to end, whatever its outcome (the caller rolls back). */
  async stop(): Promise<void> {
    try {
      await this.running;
    } catch {
      // The caller reports its own error.
    } finally {
      this.running = undefined;
      this.waiting = [];
      this.removeFiles();
    }
  }

  private async startNext(): Promise<void> {
    await this.running;
    const chunks = this.waiting;
    this.waiting = [];
    // Two files in turn: DuckDB has read the older one (its statement has ended).
    this.directory ??= mkdtempSync(join(tmpdir(), 'netledger-ingest-'));
    const path = join(this.directory, `flows-${this.files++ % 2}.parquet`);
    let rows = 0;
    for (const chunk of chunks) rows += chunk.rows;
    const parquetColumns = flowParquetColumns(chunks);
    const fd = openSync(path, 'w');
    try {
      writeParquet(fd, rows, parquetColumns);
    } finally {
      closeSync(fd);
    }
    this.spare.push(...chunks);
    // Columns not in the file (absent from every row) are left NULL.
    const columns = parquetColumns.map((column) => column.name).join(', ');
    const running = this.connection
      .run(
        `INSERT INTO flows (source_id, ${columns})
         SELECT ${this.sourceId}, ${columns} FROM read_parquet('${path.replace(/'/g, "''")}')`,
      )
      .then(() => {});
    // Seen when awaited (next statement, finish or stop), not an unhandled rejection meanwhile.
    running.catch(() => {});
    this.running = running;
  }

  private removeFiles(): void {
    if (this.directory !== undefined) rmSync(this.directory, { recursive: true, force: true });
    this.directory = undefined;
  }
}
