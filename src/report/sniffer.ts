/**
 * The Sniffer composite report (Report.pm `report()`): grouped by /24 or by subdomain, ordered by
 * bandwidth. One model, rendered as the original's text byte for byte, or as JSON, CSV and HTML.
 */
import { formatMonthDayTime } from '../model/time.js';
import {
  groupByCidr24,
  groupByDomain,
  listedMembers,
  orderByBandwidth,
  type SnifferGroup,
} from '../aggregate/sniffer-groups.js';
import type { SnifferEntry, SnifferStatus } from '../sources/sniffer/status.js';
import { formatFixed0, formatFixed0Width } from './perl-format.js';
import { renderTabular, toJson, type Column, type Row } from './tabular.js';

export type SnifferGrouping = 'cidr24' | 'domain';

export interface SnifferReport {
  grouping: SnifferGrouping;
  header: string;
  /** Groups in report order (bandwidth descending). */
  groups: SnifferGroup[];
  /** Each group's entries in ascending address order, as listed (parallel to `groups`). */
  listings: SnifferEntry[][];
  /** Σ R, Σ W of all groups (per hour). */
  ratePerHour: number;
  bytesPerHour: number;
  users: number;
}

/**
 * The /24 grouping of each status, shared by its two reports. Groupings are never mutated, and a status is
 * not changed once read (build a new one to report changed entries).
 */
const cidr24Cache = new WeakMap<readonly SnifferEntry[], ReturnType<typeof groupByCidr24>>();

export function buildSnifferReport(status: SnifferStatus, grouping: SnifferGrouping): SnifferReport {
  let byCidr24 = cidr24Cache.get(status.entries);
  if (byCidr24 === undefined) cidr24Cache.set(status.entries, (byCidr24 = groupByCidr24(status.entries)));
  const chosen = grouping === 'domain' ? groupByDomain(byCidr24) : byCidr24;
  const groups = orderByBandwidth(chosen.groups);
  return {
    grouping,
    header: status.header,
    groups,
    listings: groups.map(listedMembers),
    ratePerHour: chosen.ratePerHour,
    bytesPerHour: chosen.bytesPerHour,
    users: status.entries.length,
  };
}

const TITLE = "\n   IP addr\t    host name\n qrys/mn -- bytes/sec -- #IP's\tlast contact time\n\n";

type Latin1Writer = Buffer & { latin1Write(text: string, offset: number): number };

/**
 * The text report, byte for byte as `report()` prints it, as latin1 bytes. Times are local unless `utc`.
 * Written straight into one buffer sized beforehand: a million-IP report makes no per-line strings to join.
 */
export function renderSnifferTextBytes(report: SnifferReport, options: { utc?: boolean } = {}): Buffer {
  const type = report.grouping === 'domain' ? 'SUB DOMAIN' : 'CIDR/24';
  const head = `${report.header}\nComposite report, ${type} ordered by BANDWIDTH\n${TITLE}`;
  // Local-time conversion is the costly part of a group line, and groups share their last-contact times.
  const times = new Map<number, string>();
  const timeOf = (epoch: number) => {
    let text = times.get(epoch);
    if (text === undefined) times.set(epoch, (text = formatMonthDayTime(epoch, options.utc)));
    return text;
  };
  const groupLines = report.groups.map(
    (group) =>
      ` ${formatFixed0Width(group.ratePerHour / 60, 6)}\t -- ${formatFixed0(group.bytesPerHour / 3600)}\t -- ` +
      `${group.members.length}\t${timeOf(group.lastUpdate)}\n`,
  );
  const tail =
    TITLE +
    `rate\t\t= ${formatFixed0(report.ratePerHour / 60)} connections per minute\n` +
    `bandwidth\t= ${formatFixed0(report.bytesPerHour / 3600)} bytes per second\n` +
    `users\t\t= ${report.users}\n`;
  // Each listed IP: `ip \t name1 (\n\t\t nameN)* \n`.
  let size = head.length + tail.length;
  for (const line of groupLines) size += line.length;
  for (const listing of report.listings) {
    for (const member of listing) {
      size += member.ip.length + 2;
      const names = member.names;
      for (let i = 0; i < names.length; i++) size += names[i]!.length + (i > 0 ? 3 : 0);
    }
  }
  const out = Buffer.allocUnsafe(size) as Latin1Writer;
  let at = out.latin1Write(head, 0);
  // Addresses and names are short: copying their characters here beats a call into C++ for each.
  const copy = (text: string) => {
    for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  };
  report.listings.forEach((listing, index) => {
    for (const member of listing) {
      copy(member.ip);
      out[at++] = 0x09;
      const names = member.names;
      for (let i = 0; i < names.length; i++) {
        if (i > 0) {
          out[at++] = 0x0a;
          out[at++] = 0x09;
          out[at++] = 0x09;
        }
        copy(names[i]!);
      }
      out[at++] = 0x0a;
    }
    copy(groupLines[index]!);
  });
  at += out.latin1Write(tail, at);
  return out;
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
  return report.groups.map((group, index) => ({
    group: group.key,
    queriesPerMinute: group.ratePerHour / 60,
    bytesPerSecond: group.bytesPerHour / 3600,
    ipCount: group.members.length,
    lastContact: group.lastUpdate,
    ips: report.listings[index]!.map((member) => member.ip),
  }));
}

export function renderSnifferJson(report: SnifferReport): string {
  return (
    toJson(
      {
        grouping: report.grouping,
        totals: {
          queriesPerMinute: report.ratePerHour / 60,
          bytesPerSecond: report.bytesPerHour / 3600,
          users: report.users,
        },
        groups: report.groups.map((group, index) => ({
          group: group.key,
          queriesPerMinute: group.ratePerHour / 60,
          bytesPerSecond: group.bytesPerHour / 3600,
          ratePerHour: group.ratePerHour,
          bytesPerHour: group.bytesPerHour,
          lastContact: group.lastUpdate,
          ips: report.listings[index]!.map((member) => ({ ip: member.ip, names: member.names })),
        })),
      },
      2,
    ) + '\n'
  );
}

export function renderSnifferCsv(report: SnifferReport): string {
  return renderTabular('csv', COLUMNS, snifferRows(report));
}
