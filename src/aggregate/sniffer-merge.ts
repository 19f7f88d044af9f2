/**
 * Merging the status files of several hosts into one composite (Report.pm `rem_update`): per IP sum B,
 * C, R and W, keep the latest E, and the union of the host names. Fixed against the original: E is the
 * maximum of E (the original compares and copies C), names are compared for equality (the original uses
 * each name as a regular expression), S is the earliest start and T the latest PTR expiry (the original
 * keeps whichever file came first), and an address is one IP however it is spelled (the original keys by
 * the text, so `2001:db8::1` and `2001:0db8::1` were two).
 *
 * The merge runs on columns (SnifferTable): a million IPs per host otherwise make millions of small
 * objects for the garbage collector, as in the reader (docs/sniffer.md).
 */
import type { SnifferEntry, SnifferStatus, SnifferStatusTable } from '../sources/sniffer/status.js';
import { SnifferTable, SnifferTableBuilder } from '../sources/sniffer/table.js';

interface MergedHeader {
  /** Each input's header, concatenated in input order. */
  headers: string;
  /** Σ of the first `hits:` value of each header (per minute). */
  hitsPerMinute: number;
  /** Σ of the first `bytes:` value of each header (per second). */
  bytesPerSecond: number;
}

export interface MergedStatus extends MergedHeader {
  entries: SnifferEntry[];
}

export interface MergedStatusTable extends MergedHeader {
  /** One row per IP, in the order first seen across the inputs. */
  table: SnifferTable;
}

const HITS = /hits:\s+(\d+)/;
const BYTES = /bytes:\s+(\d+)/;

export function mergeStatuses(statuses: readonly SnifferStatus[]): MergedStatus {
  const { table, ...header } = mergeStatusTables(
    statuses.map((status) => ({ header: status.header, table: SnifferTable.fromEntries(status.entries) })),
  );
  return { ...header, entries: table.entries() };
}

export function mergeStatusTables(statuses: readonly SnifferStatusTable[]): MergedStatusTable {
  let headers = '';
  let hitsPerMinute = 0;
  let bytesPerSecond = 0;
  for (const { header } of statuses) {
    headers += header;
    // As rem_update: users are not summed, the same user may be seen by every host.
    hitsPerMinute += Number(HITS.exec(header)?.[1] ?? 0);
    bytesPerSecond += Number(BYTES.exec(header)?.[1] ?? 0);
  }
  return {
    headers,
    hitsPerMinute,
    bytesPerSecond,
    table: mergeTables(statuses.map((status) => status.table)),
  };
}

/**
 * The merged table. Every input row is a contribution to the merged row of its address; the merged rows
 * are numbered in the order first seen, and their contributions chained in input order, so that the
 * names come out as the first host's names followed by each later host's new ones. The addresses and
 * names the merged rows keep are copied into one new text, so that the inputs' files can be let go.
 */
function mergeTables(tables: readonly SnifferTable[]): SnifferTable {
  let contributions = 0;
  let textBytes = 0;
  for (const table of tables) {
    contributions += table.size;
    textBytes += spanBytes(table.ipSpans) + spanBytes(table.nameSpans);
  }

  // Contribution c is row contributorRow[c] of table contributorTable[c]; nextContribution chains the
  // contributions to one merged row (-1 ends the chain).
  const contributorTable = new Uint32Array(contributions);
  const contributorRow = new Uint32Array(contributions);
  const nextContribution = new Int32Array(contributions).fill(-1);
  const firstContribution: number[] = [];
  const lastContribution: number[] = [];
  const mergedRowOf = new Map<number | bigint, number>();
  let contribution = 0;
  for (let t = 0; t < tables.length; t++) {
    const table = tables[t]!;
    for (let row = 0; row < table.size; row++, contribution++) {
      contributorTable[contribution] = t;
      contributorRow[contribution] = row;
      // By value: two spellings of one IPv6 address are one IP.
      const key = table.orderKey(row);
      const merged = mergedRowOf.get(key);
      if (merged === undefined) {
        mergedRowOf.set(key, firstContribution.length);
        firstContribution.push(contribution);
        lastContribution.push(contribution);
      } else {
        nextContribution[lastContribution[merged]!] = contribution;
        lastContribution[merged] = contribution;
      }
    }
  }

  // At most every input's addresses and names: a merged row keeps one address and fewer names.
  const text = Buffer.allocUnsafe(textBytes);
  let used = 0;
  const copied = (source: Buffer, start: number, end: number): number => {
    const at = used;
    used += source.copy(text, at, start, end);
    return at;
  };
  const builder = new SnifferTableBuilder(text, firstContribution.length);
  /** Start and end (in `text`) of each name the merged row has so far. */
  const names: number[] = [];
  for (const first of firstContribution) {
    const firstTable = tables[contributorTable[first]!]!;
    const firstRow = contributorRow[first]!;
    const ipStart = firstTable.ipSpans[2 * firstRow]!;
    const ipEnd = firstTable.ipSpans[2 * firstRow + 1]!;
    const at = copied(firstTable.text, ipStart, ipEnd);
    const row = builder.addRow(at, at + ipEnd - ipStart, firstTable.orderKey(firstRow));
    let bytes = 0;
    let count = 0;
    let ratePerHour = 0;
    let bytesPerHour = 0;
    let lastUpdate = -Infinity;
    let start = Infinity;
    let ptrExpiry = -Infinity;
    names.length = 0;
    for (let c = first; c >= 0; c = nextContribution[c]!) {
      const table = tables[contributorTable[c]!]!;
      const source = contributorRow[c]!;
      bytes += table.bytes[source]!;
      count += table.count[source]!;
      ratePerHour += table.ratePerHour[source]!;
      bytesPerHour += table.bytesPerHour[source]!;
      lastUpdate = Math.max(lastUpdate, table.lastUpdate[source]!);
      start = Math.min(start, table.start[source]!);
      ptrExpiry = Math.max(ptrExpiry, table.ptrExpiry[source]!);
      for (let span = table.nameFirst[source]!; span < table.nameFirst[source + 1]!; span++) {
        const nameStart = table.nameSpans[2 * span]!;
        const nameEnd = table.nameSpans[2 * span + 1]!;
        // The first host's names are kept as they are; later hosts add the names not there yet.
        if (c !== first && hasName(text, names, table.text, nameStart, nameEnd)) continue;
        const nameAt = copied(table.text, nameStart, nameEnd);
        names.push(nameAt, nameAt + nameEnd - nameStart);
        builder.addName(nameAt, nameAt + nameEnd - nameStart);
      }
    }
    builder.bytes[row] = bytes;
    builder.count[row] = count;
    builder.ratePerHour[row] = ratePerHour;
    builder.bytesPerHour[row] = bytesPerHour;
    builder.lastUpdate[row] = lastUpdate;
    builder.start[row] = start;
    builder.ptrExpiry[row] = ptrExpiry;
  }
  return builder.finish();
}

/** Bytes covered by a column of (start, end) spans. */
function spanBytes(spans: Uint32Array): number {
  let bytes = 0;
  for (let i = 0; i < spans.length; i += 2) bytes += spans[i + 1]! - spans[i]!;
  return bytes;
}

/** Whether `names` (start, end pairs into `text`) holds the bytes source[start, end). */
function hasName(
  text: Buffer,
  names: readonly number[],
  source: Buffer,
  start: number,
  end: number,
): boolean {
  const length = end - start;
  for (let i = 0; i < names.length; i += 2) {
    if (
      names[i + 1]! - names[i]! === length &&
      source.compare(text, names[i], names[i + 1], start, end) === 0
    )
      return true;
  }
  return false;
}
