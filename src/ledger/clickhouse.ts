/**
 * The ClickHouse ledger (`--ledger clickhouse://host:8123/db`), written for the Debian server 18.16:
 * no query parameters (values are escaped and inlined), no IPv4/IPv6 types (addresses are strings), no
 * DateTime64 (times are Float64 epoch seconds), no transactions.
 *
 * Commit protocol instead of transactions: an ingest writes its flows rows under a fresh random
 * `source_id`, then inserts its `sources` row as the commit marker. Every query reads only flows whose
 * `source_id` is committed, so rows of an ingest that failed part-way are invisible; they are also deleted
 * (`ALTER TABLE flows DELETE WHERE source_id = …`, a background mutation). Two ingests of the same content
 * racing each other may both commit; queries count only the first commit per (size, content hash).
 */
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { KeyField } from '../aggregate/keys.js';
import type { BinnedRow, GroupTotal, SeriesPoint, SpanningRow } from '../aggregate/totals.js';
import { ConfigError, NetledgerError, NetworkError, ParseError, UsageError } from '../model/errors.js';
import type { TrafficRecord } from '../model/record.js';
import {
  binnedRowFromRow,
  groupTotalFromRow,
  overlapSql,
  SOURCE_COLUMNS,
  sourceEntryFromRow,
  sqlString,
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

/** Numeric key columns use -1 for "absent"; text columns use the empty string. */
const NUMERIC_FIELDS = new Set<KeyField>(['sport', 'dport']);
const UINT64_MAX = (1n << 64n) - 1n;

const SCHEMA = (db: string) => [
  `CREATE DATABASE IF NOT EXISTS ${db}`,
  `CREATE TABLE IF NOT EXISTS ${db}.meta (key String, value String) ENGINE = TinyLog`,
  `CREATE TABLE IF NOT EXISTS ${db}.superseded (id UInt64) ENGINE = TinyLog`,
  `CREATE TABLE IF NOT EXISTS ${db}.sources (id UInt64, identity String, path String, format String,
     from_offset UInt64, size UInt64, content_hash String, first_time Nullable(Float64),
     last_time Nullable(Float64), records UInt64, ingested_at Float64)
   ENGINE = MergeTree() ORDER BY (ingested_at, id)`,
  // Partitions by month of the record start keep the partition count low whatever the number of sources;
  // ordering by source_id first makes deleting a failed ingest's rows cheap.
  `CREATE TABLE IF NOT EXISTS ${db}.flows (source_id UInt64, ts_start Float64, ts_end Float64,
     src String, dst String, sport Int32, dport Int32, proto String, src_mac String, dst_mac String,
     vlan Int32, name String, sensor String, src_name String, dst_name String,
     packets UInt64, bytes UInt64, extra String)
   ENGINE = MergeTree() PARTITION BY toYYYYMM(toDateTime(toUInt32(greatest(ts_start, 0))))
   ORDER BY (source_id, ts_start)`,
];

export class ClickHouseLedger implements Ledger, LedgerStore {
  private constructor(
    readonly location: string,
    private readonly client: ClickHouseClient,
    private readonly db: string,
  ) {}

  static async open(url: string): Promise<ClickHouseLedger> {
    const parsed = parseClickHouseUrl(url);
    const client = createClient({
      url: `http://${parsed.host}`,
      username: parsed.username,
      password: parsed.password,
      request_timeout: 300_000,
      // Errors reach the user once, as our one-line message; the client's own log would repeat them.
      log: { level: ClickHouseLogLevel.OFF },
      // Long inserts and scans: progress headers keep the HTTP connection busy (both settings exist in 18.16).
      clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' },
    });
    const ledger = new ClickHouseLedger(`clickhouse://${parsed.host}/${parsed.db}`, client, parsed.db);
    try {
      const ping = await client.ping();
      if (!ping.success) throw ping.error;
      await ledger.prepareSchema();
    } catch (error) {
      await client.close();
      throw error instanceof NetledgerError
        ? error
        : new NetworkError(
            `cannot use the ClickHouse ledger at ${ledger.location}: ${message(error)}`,
            error,
          );
    }
    return ledger;
  }

  private async prepareSchema(): Promise<void> {
    for (const statement of SCHEMA(this.db)) await this.client.command({ query: statement });
    const rows = await this.rows(`SELECT value FROM ${this.db}.meta WHERE key = 'schema_version'`);
    if (rows.length === 0) {
      await this.client.command({
        query: `INSERT INTO ${this.db}.meta VALUES ('schema_version', '${LEDGER_SCHEMA_VERSION}')`,
      });
    } else if (Number(rows[0]![0]) !== LEDGER_SCHEMA_VERSION) {
      throw new ConfigError(
        `ClickHouse ledger ${this.location} has schema version ${String(rows[0]![0])}, this netledger reads ${LEDGER_SCHEMA_VERSION}`,
      );
    }
  }

  private async rows(query: string): Promise<unknown[][]> {
    const result = await this.client.query({ query, format: 'JSONCompact' });
    const body = await result.json<unknown[]>();
    return body.data as unknown[][];
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** The ids of committed sources: the first commit per content (see the module comment). */
  private committed(): string {
    return `source_id IN (SELECT argMin(id, ingested_at) FROM ${this.db}.sources
      WHERE ${this.current()} GROUP BY size, content_hash)`;
  }

  /** Sources not superseded by a later read of the same (grown) file. */
  private current(): string {
    return `id NOT IN (SELECT id FROM ${this.db}.superseded)`;
  }

  async sources(filter: SourceFilter = {}): Promise<SourceEntry[]> {
    const where = [this.current()];
    if (filter.identity !== undefined) where.push(`identity = ${sqlString(filter.identity)}`);
    if (filter.size !== undefined) where.push(`size = ${Math.trunc(filter.size)}`);
    if (filter.contentHash !== undefined) where.push(`content_hash = ${sqlString(filter.contentHash)}`);
    const rows = await this.rows(
      `SELECT ${SOURCE_COLUMNS} FROM ${this.db}.sources WHERE ${where.join(' AND ')}
       ORDER BY ingested_at, id`,
    );
    return rows.map(sourceEntryFromRow);
  }

  async ingestSource(
    fingerprint: SourceFingerprint,
    batches: AsyncIterable<TrafficRecord[]>,
    options: IngestOptions = {},
  ): Promise<IngestOutcome> {
    const known = await this.sources({ size: fingerprint.size, contentHash: fingerprint.contentHash });
    if (known.length > 0) return { status: 'unchanged', records: 0, entry: known[0]! };
    const sourceId = randomBytes(8).readBigUInt64BE(0).toString();
    const stats = {
      count: 0,
      firstTime: undefined as number | undefined,
      lastTime: undefined as number | undefined,
    };
    try {
      await this.client.insert({
        table: `${this.db}.flows`,
        format: 'TabSeparated',
        values: Readable.from(flowLines(sourceId, batches, stats, fingerprint.path), { objectMode: false }),
      });
      const entry: SourceEntry = {
        ...fingerprint,
        id: sourceId,
        firstTime: stats.firstTime,
        lastTime: stats.lastTime,
        records: BigInt(stats.count),
        ingestedAt: Date.now() / 1000,
      };
      // The commit marker: from here on the rows are visible.
      await this.client.command({
        query: `INSERT INTO ${this.db}.sources VALUES (${sourceId}, ${sqlString(entry.identity)},
          ${sqlString(entry.path)}, ${sqlString(entry.format)}, ${entry.fromOffset}, ${entry.size},
          ${sqlString(entry.contentHash)}, ${entry.firstTime ?? 'NULL'}, ${entry.lastTime ?? 'NULL'},
          ${stats.count}, ${entry.ingestedAt})`,
      });
      // No transactions here: the superseded sources stop counting right after the new one commits.
      const replaced = sourceIdList(options.replaces);
      if (replaced !== undefined) {
        await this.client.command({
          query: `INSERT INTO ${this.db}.superseded SELECT arrayJoin([${replaced}])`,
        });
      }
      return { status: 'ingested', records: stats.count, entry };
    } catch (error) {
      await this.client
        .command({ query: `ALTER TABLE ${this.db}.flows DELETE WHERE source_id = ${sourceId}` })
        .catch(() => undefined);
      if (error instanceof NetledgerError) throw error;
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof NetledgerError) throw cause;
      throw new NetworkError(
        `writing to the ClickHouse ledger failed, nothing was committed: ${message(error)}`,
        error,
      );
    }
  }

  top(query: TopQuery): Promise<GroupTotal[]> {
    return topFromStore(this, query);
  }

  series(query: SeriesQuery): Promise<SeriesPoint[]> {
    return seriesFromStore(this, query);
  }

  private present(field: KeyField): string {
    return NUMERIC_FIELDS.has(field) ? `${field} >= 0` : `${field} != ''`;
  }

  /** As DuckDbLedger.groupTotals: one query, fields merged by value, ranked and cut in SQL when allowed. */
  async groupTotals(fields: readonly KeyField[], window: TimeWindow, limit?: number): Promise<GroupTotal[]> {
    const parts = fields.map(
      (field) =>
        `SELECT toString(${field}) AS k, bytes, packets FROM ${this.db}.flows
         WHERE ${this.present(field)} AND ${startsInSql(window)} AND ${this.committed()}`,
    );
    const rows = await this.rows(
      `SELECT k, toString(sum(bytes)), toString(sum(packets)), toString(count()),
         sum(bytes) AS bytes_sort, sum(packets) AS packets_sort
       FROM (${parts.join(' UNION ALL ')}) GROUP BY k
       ${limit === undefined ? '' : `ORDER BY bytes_sort DESC, packets_sort DESC, k LIMIT ${Math.trunc(limit)}`}`,
    );
    return rows.map(groupTotalFromRow);
  }

  private valueFilter(field: KeyField, values: readonly string[] | undefined): string {
    if (values === undefined) return '';
    return `AND toString(${field}) IN (${values.map(sqlString).join(', ')})`;
  }

  async binnedTotals(
    fields: readonly KeyField[],
    binSeconds: number,
    window: TimeWindow,
    values?: readonly string[],
  ): Promise<BinnedRow[]> {
    const out: BinnedRow[] = [];
    for (const field of fields) {
      const rows = await this.rows(
        `SELECT toString(${field}) AS k, toInt64(floor(ts_start / ${binSeconds})) AS bin,
           toString(sum(bytes)), toString(sum(packets))
         FROM ${this.db}.flows
         WHERE ${this.present(field)} AND ${overlapSql(window)} AND ${withinOneBinSql(binSeconds)}
           AND ${this.committed()} ${this.valueFilter(field, values)}
         GROUP BY k, bin`,
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
      const result = await this.client.query({
        query: `SELECT toString(${field}), ts_start, ts_end, bytes, packets FROM ${this.db}.flows
          WHERE ${this.present(field)} AND ${overlapSql(window)} AND NOT ${withinOneBinSql(binSeconds)}
            AND ${this.committed()} ${this.valueFilter(field, values)}`,
        format: 'TabSeparated',
      });
      for await (const rows of result.stream()) {
        yield rows.map((row) => {
          const cells = row.text.split('\t');
          return {
            key: unescapeTsv(cells[0] ?? ''),
            start: Number(cells[1]),
            end: Number(cells[2]),
            bytes: BigInt(cells[3] ?? '0'),
            packets: BigInt(cells[4] ?? '0'),
          };
        });
      }
    }
  }
}

/** `clickhouse://[user[:password]@]host[:port]/db` → its parts (port 8123, database `netledger` by default). */
export function parseClickHouseUrl(url: string): {
  host: string;
  db: string;
  username: string;
  password: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid ClickHouse ledger URL '${url}': expected clickhouse://host:8123/db`);
  }
  const db = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'netledger';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) {
    throw new UsageError(`invalid ClickHouse database name '${db}': letters, digits and _ only`);
  }
  return {
    host: `${parsed.hostname}:${parsed.port || '8123'}`,
    db,
    username: decodeURIComponent(parsed.username) || 'default',
    password: decodeURIComponent(parsed.password),
  };
}

/** TabSeparated rows of the flows table, streamed from the record batches. */
async function* flowLines(
  sourceId: string,
  batches: AsyncIterable<TrafficRecord[]>,
  stats: { count: number; firstTime: number | undefined; lastTime: number | undefined },
  path: string,
): AsyncIterable<string> {
  for await (const batch of batches) {
    let text = '';
    for (const record of batch) {
      const index = stats.count + 1;
      if (!(record.end >= record.start)) {
        throw new ParseError(`record ${index} ends (${record.end}) before it starts (${record.start})`, {
          file: path,
        });
      }
      const packets = BigInt(record.packets);
      const bytes = BigInt(record.bytes);
      if (packets < 0n || bytes < 0n || packets > UINT64_MAX || bytes > UINT64_MAX) {
        throw new ParseError(`record ${index}: counters must be integers 0..2^64-1`, { file: path });
      }
      const extra = record.extra;
      const srcName = typeof extra?.srcName === 'string' ? extra.srcName : '';
      const dstName = typeof extra?.dstName === 'string' ? extra.dstName : '';
      let rest = '';
      if (extra !== undefined) {
        const { srcName: _s, dstName: _d, ...others } = extra;
        if (Object.keys(others).length > 0) rest = JSON.stringify(others);
      }
      text +=
        `${sourceId}\t${record.start}\t${record.end}\t${tsv(record.src)}\t${tsv(record.dst)}\t` +
        `${record.sport ?? -1}\t${record.dport ?? -1}\t${tsv(record.proto)}\t${tsv(record.srcMac)}\t` +
        `${tsv(record.dstMac)}\t${record.vlan ?? -1}\t${tsv(record.name)}\t${tsv(record.sensor)}\t` +
        `${tsv(srcName)}\t${tsv(dstName)}\t${packets}\t${bytes}\t${tsv(rest)}\n`;
      if (stats.firstTime === undefined || record.start < stats.firstTime) stats.firstTime = record.start;
      if (stats.lastTime === undefined || record.end > stats.lastTime) stats.lastTime = record.end;
      stats.count++;
    }
    if (text !== '') yield text;
  }
}

function tsv(value: string | undefined): string {
  if (value === undefined) return '';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}

function unescapeTsv(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_all, char: string) =>
    char === 't' ? '\t' : char === 'n' ? '\n' : char === 'r' ? '\r' : char === '0' ? '\0' : char,
  );
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
