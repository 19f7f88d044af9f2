/**
 * The Sniffer composite report (Report.pm `report()`): grouped by /24 or by subdomain, ordered by
 * bandwidth. One model, rendered as the original's text byte for byte, or as JSON, CSV and HTML.
 */
import { MonthDayTimeFormatter } from '../model/time.js';
import {
  groupByCidr24,
  groupByDomain,
  orderByBandwidth,
  type Cidr24Runs,
  type SnifferGrouping as Groups,
} from '../aggregate/sniffer-groups.js';
import type { SnifferStatus, SnifferStatusTable } from '../sources/sniffer/status.js';
import { SnifferTable } from '../sources/sniffer/table.js';
import { formatFixed0, writeFixed0 } from './perl-format.js';
import { renderTabular, toJson, type Column, type Row } from './tabular.js';

export type SnifferGrouping = 'cidr24' | 'domain';

export interface SnifferReport {
  grouping: SnifferGrouping;
  header: string;
  /** The entries the groups' rows refer to. */
  table: SnifferTable;
  groups: Groups;
  /** Group indices in report order (bandwidth descending). */
  order: Uint32Array;
  /** Σ R, Σ W of all groups (per hour). */
  ratePerHour: number;
  bytesPerHour: number;
  users: number;
}

/**
 * The /24 grouping of each table, shared by its two reports; and the table made of an entry list. Tables
 * and groupings are never mutated, and a status is not changed once read (build a new one to report
 * changed entries).
 */
const cidr24Cache = new WeakMap<SnifferTable, ReturnType<typeof groupByCidr24>>();
const tableCache = new WeakMap<readonly object[], SnifferTable>();

function tableOf(status: SnifferStatus | SnifferStatusTable): SnifferTable {
  if ('table' in status) return status.table;
  let table = tableCache.get(status.entries);
  if (table === undefined) tableCache.set(status.entries, (table = SnifferTable.fromEntries(status.entries)));
  return table;
}

export function buildSnifferReport(
  status: SnifferStatus | SnifferStatusTable,
  grouping: SnifferGrouping,
): SnifferReport {
  const table = tableOf(status);
  let byCidr24 = cidr24Cache.get(table);
  if (byCidr24 === undefined) cidr24Cache.set(table, (byCidr24 = groupByCidr24(table)));
  const groups = grouping === 'domain' ? groupByDomain(table, byCidr24) : byCidr24;
  return {
    grouping,
    header: status.header,
    table,
    groups,
    order: orderByBandwidth(groups),
    ratePerHour: groups.totalRatePerHour,
    bytesPerHour: groups.totalBytesPerHour,
    users: table.size,
  };
}

const TITLE = "\n   IP addr\t    host name\n qrys/mn -- bytes/sec -- #IP's\tlast contact time\n\n";

type Latin1Writer = Buffer & { latin1Write(text: string, offset: number): number };

/**
 * The text report, byte for byte as `report()` prints it, as latin1 bytes. Times are local unless `utc`.
 * Written straight into one buffer sized beforehand: a million-IP report makes no per-line strings. Each
 * loop is a function of its own, so that V8 optimises each loop on its own (one function with all of them
 * was deoptimised at every change of phase).
 */
export function renderSnifferTextBytes(report: SnifferReport, options: { utc?: boolean } = {}): Buffer {
  const type = report.grouping === 'domain' ? 'SUB DOMAIN' : 'CIDR/24';
  const head = `${report.header}\nComposite report, ${type} ordered by BANDWIDTH\n${TITLE}`;
  const tail =
    TITLE +
    `rate\t\t= ${formatFixed0(report.ratePerHour / 60)} connections per minute\n` +
    `bandwidth\t= ${formatFixed0(report.bytesPerHour / 3600)} bytes per second\n` +
    `users\t\t= ${report.users}\n`;
  const lines = groupLines(report, new MonthDayTimeFormatter(options.utc));
  const listings = runListingsOf(report.table, report.groups.runs);
  const linesSize = lines.ends[lines.ends.length - 1]!;
  const size = head.length + linesSize + listings.bytes.length + tail.length;
  // The listings and the group lines are staged behind the report in the same buffer and moved into place
  // with copyWithin (a memmove): a copy between two buffers costs argument checks or a byte loop for each
  // of a quarter of a million blocks.
  const out = Buffer.allocUnsafe(size + listings.bytes.length + linesSize) as Latin1Writer;
  const staged: Staged = {
    listedAt: size,
    runEnds: listings.ends,
    linesAt: size + listings.bytes.length,
    lineEnds: lines.ends,
  };
  out.set(listings.bytes, staged.listedAt);
  out.set(lines.bytes.subarray(0, linesSize), staged.linesAt);
  const at = writeGroups(out, out.latin1Write(head, 0), report, staged);
  out.latin1Write(tail, at);
  return out.subarray(0, size);
}

/** Where the run listings and the group lines wait in the output buffer, and where each ends. */
interface Staged {
  listedAt: number;
  runEnds: Uint32Array;
  linesAt: number;
  lineEnds: Uint32Array;
}

/** The group lines in report order, in one buffer: line i is bytes ends[i] … ends[i+1]-1. */
interface GroupLines {
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Longest group line when every number is below 2^53: 1 + 16 + 5 + 16 + 5 + 10 + 1 + 15 + 1 bytes. */
const GROUP_LINE_BYTES = 70;

/** ` %6.0f\t -- %.0f\t -- %d\t<last contact>\n` for each group, in report order. */
function groupLines(report: SnifferReport, times: MonthDayTimeFormatter): GroupLines {
  const { groups, order } = report;
  const ends = new Uint32Array(order.length + 1);
  let bytes = new Uint8Array(order.length * GROUP_LINE_BYTES + 1024);
  let at = 0;
  for (let index = 0; index < order.length; index++) {
    if (bytes.length - at < 1024) {
      // Numbers of 2^53 and more print every digit: room for the longest double.
      const larger = new Uint8Array(bytes.length * 2);
      larger.set(bytes);
      bytes = larger;
    }
    const g = order[index]!;
    bytes[at++] = 0x20;
    at = writeFixed0(bytes, at, groups.ratePerHour[g]! / 60, 6);
    at = writeAscii(bytes, at, '\t -- ');
    at = writeFixed0(bytes, at, groups.bytesPerHour[g]! / 3600);
    at = writeAscii(bytes, at, '\t -- ');
    at = writeFixed0(bytes, at, groups.memberCount[g]!);
    bytes[at++] = 0x09;
    at = writeAscii(bytes, at, times.format(groups.lastUpdate[g]!));
    bytes[at++] = 0x0a;
    ends[index + 1] = at;
  }
  return { bytes, ends };
}

function writeAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/**
 * The listed IPs of each /24 run, `ip \t name1 (\n\t\t nameN)* \n` per row in address order, in one buffer:
 * run r is bytes ends[r] … ends[r+1]-1. Written in address order (one pass through the table's text) and
 * then copied as blocks in report order, which is far cheaper than jumping through the text row by row in
 * bandwidth order. Both reports of a table share it.
 */
interface RunListings {
  bytes: Buffer;
  ends: Uint32Array;
}

const runListingsCache = new WeakMap<Cidr24Runs, RunListings>();

function runListingsOf(table: SnifferTable, runs: Cidr24Runs): RunListings {
  let listings = runListingsCache.get(runs);
  if (listings === undefined) runListingsCache.set(runs, (listings = writeRunListings(table, runs)));
  return listings;
}

function writeRunListings(table: SnifferTable, runs: Cidr24Runs): RunListings {
  const bytes = Buffer.allocUnsafe(listingSize(table));
  const ends = new Uint32Array(runs.count + 1);
  let at = 0;
  for (let run = 0; run < runs.count; run++) {
    at = writeRows(bytes, at, table, runs.order, runs.runStart[run]!, runs.runStart[run + 1]!);
    ends[run + 1] = at;
  }
  return { bytes, ends };
}

/** Bytes of all listed IPs: `ip \t name1 (\n\t\t nameN)* \n` each; every row is listed once. */
function listingSize(table: SnifferTable): number {
  const { ipSpans, nameFirst, nameSpans } = table;
  let size = 0;
  for (let row = 0; row < table.size; row++) size += ipSpans[2 * row + 1]! - ipSpans[2 * row]! + 2;
  for (let span = 0; span < nameSpans.length / 2; span++)
    size += nameSpans[2 * span + 1]! - nameSpans[2 * span]!;
  for (let row = 0; row < table.size; row++) {
    const names = nameFirst[row + 1]! - nameFirst[row]!;
    if (names > 1) size += 3 * (names - 1);
  }
  return size;
}

/** Each group's listed IPs (its /24 runs in address order), then its group line, moved from `staged`. */
function writeGroups(out: Uint8Array, at: number, report: SnifferReport, staged: Staged): number {
  const { groups, order } = report;
  const { partStart, addressOrderParts } = groups;
  const { listedAt, runEnds, linesAt, lineEnds } = staged;
  for (let index = 0; index < order.length; index++) {
    const g = order[index]!;
    for (let part = partStart[g]!; part < partStart[g + 1]!; part++) {
      const run = addressOrderParts[part]!;
      out.copyWithin(at, listedAt + runEnds[run]!, listedAt + runEnds[run + 1]!);
      at += runEnds[run + 1]! - runEnds[run]!;
    }
    out.copyWithin(at, linesAt + lineEnds[index]!, linesAt + lineEnds[index + 1]!);
    at += lineEnds[index + 1]! - lineEnds[index]!;
  }
  return at;
}

/** `ip \t name1 (\n\t\t nameN)* \n` for rows[from … to-1], copied byte by byte from the table's text. */
function writeRows(
  out: Uint8Array,
  at: number,
  table: SnifferTable,
  rows: Uint32Array,
  from: number,
  to: number,
): number {
  const { text, ipSpans, nameFirst, nameSpans } = table;
  for (let i = from; i < to; i++) {
    const row = rows[i]!;
    at = copySpan(text, ipSpans, row, out, at);
    out[at++] = 0x09;
    const first = nameFirst[row]!;
    for (let span = first; span < nameFirst[row + 1]!; span++) {
      if (span > first) {
        out[at++] = 0x0a;
        out[at++] = 0x09;
        out[at++] = 0x09;
      }
      at = copySpan(text, nameSpans, span, out, at);
    }
    out[at++] = 0x0a;
  }
  return at;
}

/**
 * Copies span `index` of `spans` from `text` to `out` at `at`; returns the new end. Addresses and names are
 * short: a plain loop beats a call into C++ (Buffer#copy) for each.
 */
function copySpan(text: Uint8Array, spans: Uint32Array, index: number, out: Uint8Array, at: number): number {
  const end = spans[2 * index + 1]!;
  for (let i = spans[2 * index]!; i < end; i++) out[at++] = text[i]!;
  return at;
}

/** The text report as a (latin1) string. */
export function renderSnifferText(report: SnifferReport, options: { utc?: boolean } = {}): string {
  return renderSnifferTextBytes(report, options).toString('latin1');
}

const COLUMNS: Column[] = [
  { key: 'group', title: 'group' },
  { key: 'queriesPerMinute', title: 'qrys/mn', numeric: true },
  { key: 'bytesPerSecond', title: 'bytes/sec', numeric: true },
  { key: 'ipCount', title: "#IP's", numeric: true },
  { key: 'lastContact', title: 'last contact', numeric: true },
  { key: 'ips', title: 'ips' },
];

/** One row per group: exact per-hour sums plus the per-minute / per-second values the text shows. */
export function snifferRows(report: SnifferReport): Row[] {
  return Array.from(report.order, (g) => {
    const group = report.groups.group(g);
    return {
      group: group.key,
      queriesPerMinute: group.ratePerHour / 60,
      bytesPerSecond: group.bytesPerHour / 3600,
      ipCount: group.members.length,
      lastContact: group.lastUpdate,
      ips: Array.from(group.listing, (row) => report.table.ip(row)),
    };
  });
}

/** The report as a JSON-ready value: totals, then the groups in bandwidth order with their IPs. */
export function snifferJsonValue(report: SnifferReport) {
  return {
    grouping: report.grouping,
    totals: totalsJsonValue(report),
    groups: Array.from(report.order, (g) => groupJsonValue(report, g)),
  };
}

function totalsJsonValue(report: SnifferReport) {
  return {
    queriesPerMinute: report.ratePerHour / 60,
    bytesPerSecond: report.bytesPerHour / 3600,
    users: report.users,
  };
}

function groupJsonValue(report: SnifferReport, g: number) {
  const group = report.groups.group(g);
  return {
    group: group.key,
    queriesPerMinute: group.ratePerHour / 60,
    bytesPerSecond: group.bytesPerHour / 3600,
    ratePerHour: group.ratePerHour,
    bytesPerHour: group.bytesPerHour,
    lastContact: group.lastUpdate,
    ips: Array.from(group.listing, (row) => ({
      ip: report.table.ip(row),
      names: report.table.names(row),
    })),
  };
}

/** Groups per chunk of the JSON report. */
const GROUPS_PER_CHUNK = 256;

/**
 * The report as indented JSON, in chunks: exactly `JSON.stringify(snifferJsonValue(report), null, 2)` and
 * a newline, made a few hundred groups at a time. A million IPs make 170 MB of it; as one value and one
 * string that took 1.2 GB, and some millions more would pass V8's longest string.
 */
export function* snifferJsonChunks(report: SnifferReport): Generator<string> {
  // The head ends in "\n}": the groups go before that brace, indented two levels.
  const head = toJson({ grouping: report.grouping, totals: totalsJsonValue(report) }, 2).slice(0, -2);
  if (report.order.length === 0) {
    yield `${head},\n  "groups": []\n}\n`;
    return;
  }
  let parts = [`${head},\n  "groups": [`];
  for (let i = 0; i < report.order.length; i++) {
    const group = toJson(groupJsonValue(report, report.order[i]!), 2).replaceAll('\n', '\n    ');
    parts.push(i === 0 ? '\n    ' : ',\n    ', group);
    if (parts.length >= 2 * GROUPS_PER_CHUNK) {
      yield parts.join('');
      parts = [];
    }
  }
  parts.push('\n  ]\n}\n');
  yield parts.join('');
}

export function renderSnifferJson(report: SnifferReport): string {
  return [...snifferJsonChunks(report)].join('');
}

export function renderSnifferCsv(report: SnifferReport): string {
  return renderTabular('csv', COLUMNS, snifferRows(report));
}
