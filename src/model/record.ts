/**
 * The flow-or-counter record: the one currency between sources, the ledger and the views.
 *
 * A source turns its input into records; everything downstream works on records only. Counters are exact
 * integers: sources hand out `bigint` when a value can pass 2^53, `number` otherwise, and aggregation always
 * sums in bigint.
 */

/** Version of the record schema. Bump it when a field's meaning changes; never change a meaning silently. */
export const RECORD_SCHEMA_VERSION = 1;

export type Counter = bigint | number;

export interface TrafficRecord {
  /** Start of the interval the counters cover, epoch seconds (may be fractional). */
  start: number;
  /** End of that interval, epoch seconds; equals `start` for a single packet. */
  end: number;
  src?: string;
  dst?: string;
  sport?: number;
  dport?: number;
  /** Protocol name (`tcp`, `udp`, `icmp`, …) or the protocol number as text. */
  proto?: string;
  srcMac?: string;
  dstMac?: string;
  vlan?: number;
  packets: Counter;
  bytes: Counter;
  /** Accounting chain, policy class or any name the source groups by. */
  name?: string;
  /** Which sensor or host produced the record. */
  sensor?: string;
  /** Source-specific values that have no field of their own (e.g. reverse DNS names, rates). */
  extra?: Record<string, number | string>;
}

/** Counts every source keeps so a user can answer "where did my packets go?". */
export interface SourceCounters {
  /** Units read from the input (lines, packets, records). */
  read: number;
  /** Units turned into records. */
  decoded: number;
  /** Units skipped, by reason. */
  skipped: Record<string, number>;
}

export function newSourceCounters(): SourceCounters {
  return { read: 0, decoded: 0, skipped: {} };
}

export function countSkipped(counters: SourceCounters, reason: string, by = 1): void {
  counters.skipped[reason] = (counters.skipped[reason] ?? 0) + by;
}

export function totalSkipped(counters: SourceCounters): number {
  let total = 0;
  for (const count of Object.values(counters.skipped)) total += count;
  return total;
}

export function toBigInt(counter: Counter): bigint {
  return typeof counter === 'bigint' ? counter : BigInt(counter);
}
