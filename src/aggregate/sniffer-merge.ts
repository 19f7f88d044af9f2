/**
 * Merging the status files of several hosts into one composite (Report.pm `rem_update`): per IP sum B,
 * C, R and W, keep the latest E, and the union of the host names. Fixed against the original: E is the
 * maximum of E (the original compares and copies C), names are compared for equality (the original uses
 * each name as a regular expression), S is the earliest start and T the latest PTR expiry (the original
 * keeps whichever file came first).
 */
import type { SnifferEntry, SnifferStatus } from '../sources/sniffer/status.js';

export interface MergedStatus {
  /** Each input's header, concatenated in input order. */
  headers: string;
  /** Σ of the first `hits:` value of each header (per minute). */
  hitsPerMinute: number;
  /** Σ of the first `bytes:` value of each header (per second). */
  bytesPerSecond: number;
  entries: SnifferEntry[];
}

const HITS = /hits:\s+(\d+)/;
const BYTES = /bytes:\s+(\d+)/;

export function mergeStatuses(statuses: readonly SnifferStatus[]): MergedStatus {
  const byIp = new Map<string, SnifferEntry>();
  let headers = '';
  let hitsPerMinute = 0;
  let bytesPerSecond = 0;
  for (const status of statuses) {
    headers += status.header;
    // As rem_update: users are not summed, the same user may be seen by every host.
    hitsPerMinute += Number(HITS.exec(status.header)?.[1] ?? 0);
    bytesPerSecond += Number(BYTES.exec(status.header)?.[1] ?? 0);
    for (const entry of status.entries) {
      const merged = byIp.get(entry.ip);
      if (merged === undefined) {
        byIp.set(entry.ip, { ...entry, names: [...entry.names] });
        continue;
      }
      merged.bytes += entry.bytes;
      merged.count += entry.count;
      merged.ratePerHour += entry.ratePerHour;
      merged.bytesPerHour += entry.bytesPerHour;
      if (entry.lastUpdate > merged.lastUpdate) merged.lastUpdate = entry.lastUpdate;
      if (entry.start < merged.start) merged.start = entry.start;
      if (entry.ptrExpiry > merged.ptrExpiry) merged.ptrExpiry = entry.ptrExpiry;
      for (const name of entry.names) if (!merged.names.includes(name)) merged.names.push(name);
    }
  }
  return { headers, hitsPerMinute, bytesPerSecond, entries: [...byIp.values()] };
}
