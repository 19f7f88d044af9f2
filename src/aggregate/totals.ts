/**
 * Folding per-key sums into a top-N and into a time series. The ledger hands over rows already summed
 * per stored value; these functions map values to keys (CIDR, domain), merge, rank and bin.
 */
import type { TrafficRecord } from '../model/record.js';
import { toBigInt } from '../model/record.js';
import { apportion, type BinGrid } from './timebins.js';
import type { GroupBy, KeyField } from './keys.js';
import { keyMapper } from './keys.js';

export interface GroupTotal {
  key: string;
  bytes: bigint;
  packets: bigint;
  /** Records (flows) that contributed. */
  records: bigint;
}

/** Maps stored values to keys and merges rows that land on the same key; rows without a key are dropped. */
export function foldTotals(groupBy: GroupBy, rows: Iterable<GroupTotal>): GroupTotal[] {
  const toKey = keyMapper(groupBy);
  const merged = new Map<string, GroupTotal>();
  for (const row of rows) {
    const key = toKey(row.key);
    if (key === undefined) continue;
    const total = merged.get(key);
    if (total === undefined) merged.set(key, { ...row, key });
    else {
      total.bytes += row.bytes;
      total.packets += row.packets;
      total.records += row.records;
    }
  }
  return [...merged.values()];
}

/** Largest byte totals first; ties by packets, then by key so the order is stable. */
export function compareTotals(a: GroupTotal, b: GroupTotal): number {
  if (a.bytes !== b.bytes) return a.bytes > b.bytes ? -1 : 1;
  if (a.packets !== b.packets) return a.packets > b.packets ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

export function topTotals(totals: GroupTotal[], limit?: number): GroupTotal[] {
  const sorted = totals.sort(compareTotals);
  return limit === undefined ? sorted : sorted.slice(0, limit);
}

/** One value of a series: the sums of `key` in the bin starting at `binStart` (epoch seconds). */
export interface SeriesPoint {
  binStart: number;
  key: string;
  bytes: bigint;
  packets: bigint;
}

/** Sums already confined to one bin (records that do not cross a bin edge). */
export interface BinnedRow {
  key: string;
  bin: number;
  bytes: bigint;
  packets: bigint;
}

/** A record that crosses at least one bin edge, for one of its key values. */
export interface SpanningRow {
  key: string;
  start: number;
  end: number;
  bytes: bigint;
  packets: bigint;
}

/**
 * Accumulates a series: whole-bin sums are added as they are, records crossing bin edges are split with
 * {@link apportion} (the one time-bin rule). Because `apportion` gives a record inside one bin wholly to
 * that bin, a store may pre-sum those records per bin and the result is identical to apportioning each.
 */
export class SeriesAccumulator {
  private readonly bins = new Map<string, Map<number, { bytes: bigint; packets: bigint }>>();
  private readonly toKey: (value: string) => string | undefined;

  constructor(
    readonly grid: BinGrid,
    groupBy: GroupBy,
  ) {
    this.toKey = keyMapper(groupBy);
  }

  private cell(key: string, bin: number): { bytes: bigint; packets: bigint } {
    let perKey = this.bins.get(key);
    if (perKey === undefined) this.bins.set(key, (perKey = new Map()));
    let cell = perKey.get(bin);
    if (cell === undefined) perKey.set(bin, (cell = { bytes: 0n, packets: 0n }));
    return cell;
  }

  addBinned(row: BinnedRow): void {
    const key = this.toKey(row.key);
    if (key === undefined) return;
    const cell = this.cell(key, row.bin);
    cell.bytes += row.bytes;
    cell.packets += row.packets;
  }

  addSpanning(row: SpanningRow): void {
    const key = this.toKey(row.key);
    if (key === undefined) return;
    apportion(this.grid, row.start, row.end, row.bytes, (bin, share) => {
      this.cell(key, bin).bytes += share;
    });
    apportion(this.grid, row.start, row.end, row.packets, (bin, share) => {
      this.cell(key, bin).packets += share;
    });
  }

  /**
   * The points, by bin then by key; only bins in `[firstBin, lastBin]` when given. Cells a record reached
   * with a zero share are kept only if some counter is non-zero.
   */
  points(firstBin = -Infinity, lastBin = Infinity): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    for (const [key, perKey] of this.bins) {
      for (const [bin, cell] of perKey) {
        if (bin < firstBin || bin > lastBin) continue;
        if (cell.bytes === 0n && cell.packets === 0n) continue;
        out.push({ binStart: this.grid.origin + bin * this.grid.width, key, ...cell });
      }
    }
    return out.sort((a, b) => a.binStart - b.binStart || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

/** The value a record holds in a ledger column, as text, or undefined when absent. */
export function recordFieldValue(record: TrafficRecord, field: KeyField): string | undefined {
  switch (field) {
    case 'src':
      return record.src;
    case 'dst':
      return record.dst;
    case 'sport':
      return record.sport === undefined ? undefined : String(record.sport);
    case 'dport':
      return record.dport === undefined ? undefined : String(record.dport);
    case 'proto':
      return record.proto;
    case 'src_mac':
      return record.srcMac;
    case 'dst_mac':
      return record.dstMac;
    case 'name':
      return record.name;
    case 'sensor':
      return record.sensor;
    case 'src_name':
      return nameOf(record, 'srcName');
    case 'dst_name':
      return nameOf(record, 'dstName');
  }
}

function nameOf(record: TrafficRecord, key: 'srcName' | 'dstName'): string | undefined {
  const value = record.extra?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The reference series straight from records: every record apportioned on its own. The ledger's split of
 * work between the store and {@link SeriesAccumulator} must give exactly this (tested).
 */
export function seriesOfRecords(
  records: Iterable<TrafficRecord>,
  groupBy: GroupBy,
  grid: BinGrid,
): SeriesPoint[] {
  const series = new SeriesAccumulator(grid, groupBy);
  for (const record of records) {
    for (const field of groupBy.fields) {
      const key = recordFieldValue(record, field);
      if (key === undefined) continue;
      series.addSpanning({
        key,
        start: record.start,
        end: record.end,
        bytes: toBigInt(record.bytes),
        packets: toBigInt(record.packets),
      });
    }
  }
  return series.points();
}

/** The reference top-N straight from records. */
export function totalsOfRecords(records: Iterable<TrafficRecord>, groupBy: GroupBy): GroupTotal[] {
  const rows: GroupTotal[] = [];
  for (const record of records) {
    for (const field of groupBy.fields) {
      const key = recordFieldValue(record, field);
      if (key === undefined) continue;
      rows.push({ key, bytes: toBigInt(record.bytes), packets: toBigInt(record.packets), records: 1n });
    }
  }
  return topTotals(foldTotals(groupBy, rows));
}
