/**
 * SQL fragments both backends share (DuckDB and ClickHouse accept the same text for these), and value
 * conversions of query results. Numbers are inlined only after a finiteness check; ClickHouse 18.16 has
 * no query parameters, so text values are inlined through {@link sqlString}.
 */
import type { BinnedRow, GroupTotal } from '../aggregate/totals.js';
import type { SourceEntry, TimeWindow } from './types.js';

function sqlNumber(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

/** Records whose start lies in the window (the rule of `top`). */
export function startsInSql(window: TimeWindow): string {
  const terms = ['1 = 1'];
  if (window.since !== undefined) terms.push(`ts_start >= ${sqlNumber(window.since)}`);
  if (window.until !== undefined) terms.push(`ts_start < ${sqlNumber(window.until)}`);
  return `(${terms.join(' AND ')})`;
}

/** Records that may reach a bin overlapping the window (the rule of `series`). */
export function overlapSql(window: TimeWindow): string {
  const terms = ['1 = 1'];
  if (window.since !== undefined) terms.push(`ts_end >= ${sqlNumber(window.since)}`);
  if (window.until !== undefined) terms.push(`ts_start < ${sqlNumber(window.until)}`);
  return `(${terms.join(' AND ')})`;
}

/**
 * Records that `apportion` gives wholly to the bin holding their start (grid origin 0): instants, and
 * intervals whose end bin `ceil(end/w) - 1` is the start bin `floor(start/w)`. Same IEEE arithmetic as
 * aggregate/timebins.ts, so the split is identical (tested against seriesOfRecords).
 */
export function withinOneBinSql(binSeconds: number): string {
  const width = sqlNumber(binSeconds);
  return `(ts_end = ts_start OR floor(ts_start / ${width}) >= ceil(ts_end / ${width}) - 1)`;
}

/** A single-quoted ClickHouse string literal, backslashes and quotes escaped (DuckDB uses parameters). */
export function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function bigintOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'string') return BigInt(value);
  throw new TypeError(`expected an integer, got ${String(value)}`);
}

export function numberOrUndefined(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

/** The column list both backends select from `sources`, in the order {@link sourceEntryFromRow} reads. */
export const SOURCE_COLUMNS =
  'id, identity, path, format, from_offset, size, content_hash, first_time, last_time, records, ingested_at';

export function sourceEntryFromRow(row: readonly unknown[]): SourceEntry {
  return {
    id: String(row[0]),
    identity: String(row[1]),
    path: String(row[2]),
    format: String(row[3]),
    fromOffset: Number(row[4]),
    size: Number(row[5]),
    contentHash: String(row[6]),
    firstTime: numberOrUndefined(row[7]),
    lastTime: numberOrUndefined(row[8]),
    records: bigintOf(row[9]),
    ingestedAt: Number(row[10]),
  };
}

/** A (key, bytes, packets, records) result row. */
export function groupTotalFromRow(row: readonly unknown[]): GroupTotal {
  return {
    key: String(row[0]),
    bytes: bigintOf(row[1]),
    packets: bigintOf(row[2]),
    records: bigintOf(row[3]),
  };
}

/** A (key, bin, bytes, packets) result row. */
export function binnedRowFromRow(row: readonly unknown[]): BinnedRow {
  return { key: String(row[0]), bin: Number(row[1]), bytes: bigintOf(row[2]), packets: bigintOf(row[3]) };
}

/** Source ids as a SQL list (`1, 2, 3`), or undefined when there are none. Ids are digits only. */
export function sourceIdList(ids: readonly string[] | undefined): string | undefined {
  if (ids === undefined || ids.length === 0) return undefined;
  for (const id of ids) if (!/^\d+$/.test(id)) throw new TypeError(`not a source id: ${id}`);
  return ids.join(', ');
}
