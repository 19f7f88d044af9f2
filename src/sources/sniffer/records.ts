/**
 * A Sniffer status file as common records, for the ledger. A status file is a snapshot: per remote IP it
 * holds the packets and bytes counted since the last rate fold (C and B since E) and smoothed hourly rates.
 * Each IP becomes one record covering `[E, current]` with those exact counts; the rates, the host names
 * and the PTR expiry travel in `extra`, the first name as `srcName` (what the ledger's `--by domain` reads).
 */
import type { TrafficRecord } from '../../model/record.js';
import { headerValues } from './header.js';
import type { SnifferEntry, SnifferStatus, SnifferStatusTable } from './status.js';

export function statusToRecords(status: SnifferStatus): TrafficRecord[] {
  const { current = 0, device } = headerValues(status.header);
  return status.entries.map((entry) => entryRecord(entry, current, device));
}

/**
 * The records of a status file read into columns, `batchSize` rows at a time in file order: a million-IP
 * file then never holds a million entry objects and a million records at once, only one batch of each.
 */
export function* statusRecordBatches(
  status: SnifferStatusTable,
  batchSize: number,
): Generator<TrafficRecord[]> {
  const { current = 0, device } = headerValues(status.header);
  const table = status.table;
  for (let first = 0; first < table.size; first += batchSize) {
    const end = Math.min(table.size, first + batchSize);
    const batch: TrafficRecord[] = [];
    for (let row = first; row < end; row++) batch.push(entryRecord(table.entry(row), current, device));
    yield batch;
  }
}

function entryRecord(entry: SnifferEntry, current: number, device: string | undefined): TrafficRecord {
  const record: TrafficRecord = {
    start: entry.lastUpdate,
    end: Math.max(entry.lastUpdate, current),
    src: entry.ip,
    packets: entry.count,
    bytes: entry.bytes,
    extra: {
      ratePerHour: entry.ratePerHour,
      bytesPerHour: entry.bytesPerHour,
      ptrExpiry: entry.ptrExpiry,
      names: entry.names.join(' '),
    },
  };
  if (entry.names[0] !== undefined) record.extra!.srcName = entry.names[0];
  if (device !== undefined) record.sensor = device;
  return record;
}
