/**
 * The embedded ledger: one DuckDB file (default `./netledger.duckdb`).
 *
 * Records are turned into columns in typed arrays (flow-rows.ts) and bulk-loaded from temporary Parquet
 * files on a DuckDB thread while the next rows are read (flow-loader.ts). Text values that repeat
 * (addresses, MACs, protocol, chain, sensor, reverse-DNS names) are stored once in `strings` and
 * referenced by id, so the hot path writes integers only and grouping by host is an integer GROUP BY.
 * Each source is ingested in one transaction with its `sources` row. See docs/ledger.md for the schema.
 */
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import type { KeyField } from '../aggregate/keys.js';
import type { BinnedRow, GroupTotal, SeriesPoint, SpanningRow } from '../aggregate/totals.js';
import { ConfigError, IoError, NetledgerError } from '../model/errors.js';
import type { TrafficRecord } from '../model/record.js';
import { FlowRowWriter, type StringDictionary } from './flow-rows.js';
import { FlowLoader } from './flow-loader.js';
import { insertStrings } from './strings-loader.js';
import {
  bigintOf,
  binnedRowFromRow,
  groupTotalFromRow,
  overlapSql,
  SOURCE_COLUMNS,
  sourceEntryFromRow,
  startsInSql,
  withinOneBinSql,
  sourceIdList,
} from './sql.js';
import {
  LEDGER_SCHEMA_VERSION,
  type IngestOptions,
  type IngestOutcome,
  type Ledger,
  type LedgerStore,
  type SeriesQuery,
  type SourceEntry,
  type SourceFilter,
  type SourceFingerprint,
  type TimeWindow,
  type TopQuery,
} from './types.js';
import { seriesFromStore, topFromStore } from './views.js';

/** Columns stored as ids into `strings`. */
const STRING_COLUMNS = new Set<KeyField>([
  'src',
  'dst',
  'proto',
  'src_mac',
  'dst_mac',
  'name',
  'sensor',
  'src_name',
  'dst_name',
]);

/** The tables of a ledger (exported for tests that load rows without a ledger around them). */
export const LEDGER_TABLES = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS strings (id UINTEGER, value VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS sources (id UINTEGER, identity VARCHAR, path VARCHAR, format VARCHAR,
     from_offset UBIGINT, size UBIGINT, content_hash VARCHAR, first_time DOUBLE, last_time DOUBLE,
     records UBIGINT, ingested_at DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS flows (source_id UINTEGER, ts_start DOUBLE, ts_end DOUBLE,
     src UINTEGER, dst UINTEGER, sport USMALLINT, dport USMALLINT, proto UINTEGER,
     src_mac UINTEGER, dst_mac UINTEGER, vlan USMALLINT, name UINTEGER, sensor UINTEGER,
     src_name UINTEGER, dst_name UINTEGER, packets UBIGINT, bytes UBIGINT, extra VARCHAR)`,
];

export class DuckDbLedger implements Ledger, LedgerStore {
  /** Text → id of `strings`; loaded at the first ingest, dropped when a transaction rolls back. */
  private dictionary: Map<string, number> | undefined;

  private constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** Opens (creating when absent) the ledger file; a file of another kind or version is refused. */
  static async open(path: string): Promise<DuckDbLedger> {
    const existed = existsSync(path);
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (error) {
      throw openError(error, path);
    }
    const connection = await instance.connect();
    const ledger = new DuckDbLedger(path, instance, connection);
    try {
      await ledger.prepareSchema(existed);
    } catch (error) {
      await ledger.close();
      throw error instanceof NetledgerError ? error : openError(error, path);
    }
    return ledger;
  }

  private async prepareSchema(existed: boolean): Promise<void> {
    if (existed) {
      const tables = await this.rows(
        `SELECT table_name FROM information_schema.tables WHERE table_name = 'meta'`,
      );
      const hasMeta = tables.length > 0;
      const version = hasMeta ? await this.rows(`SELECT value FROM meta WHERE key = 'schema_version'`) : [];
      const found = version[0]?.[0];
      if (found === undefined) {
        const any = await this.rows(`SELECT count(*) FROM information_schema.tables`);
        if (Number(any[0]?.[0] ?? 0) > 0) {
          throw new ConfigError('this DuckDB file is not a netledger ledger (no schema version)', {
            file: this.location,
          });
        }
      } else if (Number(found) !== LEDGER_SCHEMA_VERSION) {
        throw new ConfigError(
          `ledger schema version ${String(found)} is not the version this netledger reads (${LEDGER_SCHEMA_VERSION})`,
          { file: this.location },
        );
      } else {
        return;
      }
    }
    await this.connection.run('BEGIN TRANSACTION');
    for (const statement of LEDGER_TABLES) await this.connection.run(statement);
    await this.connection.run(`INSERT INTO meta VALUES ('schema_version', '${LEDGER_SCHEMA_VERSION}')`);
    await this.connection.run('COMMIT');
  }

  private async rows(sql: string, values?: DuckDBValue[]): Promise<DuckDBValue[][]> {
    const reader = await this.connection.runAndReadAll(sql, values);
    return reader.getRows();
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  async sources(filter: SourceFilter = {}): Promise<SourceEntry[]> {
    const where: string[] = [];
    const values: DuckDBValue[] = [];
    if (filter.identity !== undefined) {
      where.push(`identity = $${values.push(filter.identity)}`);
    }
    if (filter.size !== undefined) where.push(`size = $${values.push(BigInt(filter.size))}`);
    if (filter.contentHash !== undefined) where.push(`content_hash = $${values.push(filter.contentHash)}`);
    const rows = await this.rows(
      `SELECT ${SOURCE_COLUMNS} FROM sources ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id`,
      values,
    );
    return rows.map(sourceEntryFromRow);
  }

  /**
   * DuckDB keeps its default thread count here on purpose: with more than one thread an INSERT from
   * Parquet is a batch insert, which compresses and writes each full row group while the statement runs
   * (beside JavaScript reading the next rows); with one thread every row group waits for COMMIT, after
   * the reading. Measured with two free cores: 6.0-8.6 s against 7.3-10.4 s for 10M rows.
   */
  async ingestSource(
    fingerprint: SourceFingerprint,
    batches: AsyncIterable<TrafficRecord[]>,
    options: IngestOptions = {},
  ): Promise<IngestOutcome> {
    await this.connection.run('BEGIN TRANSACTION');
    let loader: FlowLoader | undefined;
    try {
      const known = await this.sources({ size: fingerprint.size, contentHash: fingerprint.contentHash });
      if (known.length > 0) {
        await this.connection.run('ROLLBACK');
        return { status: 'unchanged', records: 0, entry: known[0]! };
      }
      const dictionary: StringDictionary = { ids: await this.loadDictionary(), added: [] };
      const next = await this.rows('SELECT coalesce(max(id), 0) + 1 FROM sources');
      const sourceId = Number(next[0]![0]);
      loader = new FlowLoader(this.connection, sourceId);
      const writer = new FlowRowWriter(loader.take, loader.add, dictionary, fingerprint.path);
      for await (const batch of batches) {
        writer.write(batch);
        await loader.pump();
      }
      writer.finish();
      await loader.finish();
      if (dictionary.added.length > 0) {
        // The writer numbers the texts it adds consecutively (flow-rows.ts addString).
        await insertStrings(this.connection, dictionary.ids.get(dictionary.added[0]!)!, dictionary.added);
      }
      const entry: SourceEntry = {
        ...fingerprint,
        id: String(sourceId),
        firstTime: writer.firstTime,
        lastTime: writer.lastTime,
        records: BigInt(writer.count),
        ingestedAt: Date.now() / 1000,
      };
      await this.connection.run(`INSERT INTO sources VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
        sourceId,
        entry.identity,
        entry.path,
        entry.format,
        BigInt(entry.fromOffset),
        BigInt(entry.size),
        entry.contentHash,
        entry.firstTime ?? null,
        entry.lastTime ?? null,
        entry.records,
        entry.ingestedAt,
      ]);
      const replaced = sourceIdList(options.replaces);
      if (replaced !== undefined) {
        await this.connection.run(`DELETE FROM flows WHERE source_id IN (${replaced})`);
        await this.connection.run(`DELETE FROM sources WHERE id IN (${replaced})`);
      }
      await this.connection.run('COMMIT');
      return { status: 'ingested', records: writer.count, entry };
    } catch (error) {
      this.dictionary = undefined;
      await loader?.stop();
      try {
        await this.connection.run('ROLLBACK');
      } catch {
        // A failed commit has already ended the transaction.
      }
      if (error instanceof NetledgerError) throw error;
      throw writeError(error, this.location);
    }
  }

  private async loadDictionary(): Promise<Map<string, number>> {
    if (this.dictionary !== undefined) return this.dictionary;
    const dictionary = new Map<string, number>();
    const result = await this.connection.stream('SELECT id, value FROM strings');
    for await (const rows of result.yieldRows()) {
      for (const row of rows) dictionary.set(String(row[1]), Number(row[0]));
    }
    this.dictionary = dictionary;
    return dictionary;
  }

  top(query: TopQuery): Promise<GroupTotal[]> {
    return topFromStore(this, query);
  }

  series(query: SeriesQuery): Promise<SeriesPoint[]> {
    return seriesFromStore(this, query);
  }

  /** The SQL expression giving a field's text, and the join it needs. */
  private keyOf(field: KeyField, alias: string): { expr: string; join: string } {
    if (STRING_COLUMNS.has(field)) {
      return { expr: `${alias}_s.value`, join: `JOIN strings ${alias}_s ON ${alias}_s.id = ${alias}.k` };
    }
    return { expr: `CAST(${alias}.k AS VARCHAR)`, join: '' };
  }

  /**
   * One query for all fields: per-field sums are merged by stored value (a host seen as src and as dst is
   * one row), then turned to text; ranking and the limit happen in SQL when the caller allows it.
   */
  async groupTotals(fields: readonly KeyField[], window: TimeWindow, limit?: number): Promise<GroupTotal[]> {
    const parts = fields.map(
      (field) =>
        `SELECT ${field} AS k, sum(bytes) AS b, sum(packets) AS p, count(*) AS n FROM flows
         WHERE ${field} IS NOT NULL AND ${startsInSql(window)} GROUP BY ${field}`,
    );
    const { expr, join } = this.keyOf(fields[0]!, 'g');
    const rows = await this.rows(
      `SELECT ${expr}, g.bytes, g.packets, g.records FROM (
         SELECT k, sum(b) AS bytes, sum(p) AS packets, sum(n) AS records FROM (${parts.join(' UNION ALL ')}) GROUP BY k
       ) g ${join}
       ${limit === undefined ? '' : `ORDER BY g.bytes DESC, g.packets DESC, 1 LIMIT ${Math.trunc(limit)}`}`,
    );
    return rows.map(groupTotalFromRow);
  }

  /** `AND field IN (…)` for the stored values given as text, or nothing. */
  private valueFilter(field: KeyField, values: readonly string[] | undefined): string {
    if (values === undefined) return '';
    if (STRING_COLUMNS.has(field)) {
      const list = values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');
      return `AND ${field} IN (SELECT id FROM strings WHERE value IN (${list}))`;
    }
    const numbers = values.filter((value) => /^\d+$/.test(value));
    return numbers.length === 0 ? 'AND FALSE' : `AND ${field} IN (${numbers.join(', ')})`;
  }

  async binnedTotals(
    fields: readonly KeyField[],
    binSeconds: number,
    window: TimeWindow,
    values?: readonly string[],
  ): Promise<BinnedRow[]> {
    const out: BinnedRow[] = [];
    for (const field of fields) {
      const { expr, join } = this.keyOf(field, 'g');
      const rows = await this.rows(
        `SELECT ${expr}, g.bin, g.bytes, g.packets FROM (
           SELECT ${field} AS k, CAST(floor(ts_start / ${binSeconds}) AS BIGINT) AS bin,
             sum(bytes) AS bytes, sum(packets) AS packets
           FROM flows WHERE ${field} IS NOT NULL AND ${overlapSql(window)}
             AND ${withinOneBinSql(binSeconds)} ${this.valueFilter(field, values)} GROUP BY 1, 2) g ${join}`,
      );
      for (const row of rows) out.push(binnedRowFromRow(row));
    }
    return out;
  }

  async *spanningRows(
    fields: readonly KeyField[],
    binSeconds: number,
    window: TimeWindow,
    values?: readonly string[],
  ): AsyncIterable<SpanningRow[]> {
    for (const field of fields) {
      const { expr, join } = this.keyOf(field, 'g');
      const result = await this.connection.stream(
        `SELECT ${expr}, g.ts_start, g.ts_end, g.bytes, g.packets FROM (
           SELECT ${field} AS k, ts_start, ts_end, bytes, packets FROM flows
           WHERE ${field} IS NOT NULL AND ${overlapSql(window)} AND NOT ${withinOneBinSql(binSeconds)}
             ${this.valueFilter(field, values)}) g ${join}`,
      );
      for await (const rows of result.yieldRows()) {
        yield rows.map((row) => ({
          key: String(row[0]),
          start: Number(row[1]),
          end: Number(row[2]),
          bytes: bigintOf(row[3]),
          packets: bigintOf(row[4]),
        }));
      }
    }
  }
}

function duckMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors of opening: a lock held by another process, or a file that is not a DuckDB database. */
function openError(error: unknown, path: string): NetledgerError {
  const message = duckMessage(error);
  const lock = /Conflicting lock is held in .*?\(PID (\d+)\)/.exec(message);
  if (lock !== null || /Could not set lock/.test(message)) {
    return new NetledgerError(
      'NL_ERR_LOCKED',
      `the ledger is locked by another process${lock ? ` (PID ${lock[1]})` : ''}; DuckDB allows one writer at a time`,
      { position: { file: path }, cause: error },
    );
  }
  if (/not a valid DuckDB database file|corrupt|Could not read enough bytes|checksum/i.test(message)) {
    return new IoError('the ledger file is corrupt or not a DuckDB database', path, error);
  }
  return new IoError(`cannot open the ledger: ${message.split('\n')[0]}`, path, error);
}

/** Errors while writing: the transaction was rolled back, the ledger is as it was. */
function writeError(error: unknown, path: string): NetledgerError {
  const message = duckMessage(error).split('\n')[0] ?? '';
  if (/No space left|ENOSPC/i.test(message)) {
    return new IoError('no space left on device; nothing was committed', path, error);
  }
  if (/File too large|EFBIG/i.test(message)) {
    return new IoError('file size limit reached; nothing was committed', path, error);
  }
  return new IoError(`writing the ledger failed, nothing was committed: ${message}`, path, error);
}
