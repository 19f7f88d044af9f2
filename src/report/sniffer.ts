/**
 * The Sniffer composite report (Report.pm `report()`): grouped by /24 or by subdomain, ordered by
 * bandwidth. One model, rendered as the original's text byte for byte, or as JSON, CSV and HTML.
 */
import { compareIp, parseIp } from '../model/ip.js';
import { formatMonthDayTime } from '../model/time.js';
import {
  groupByCidr24,
  groupByDomain,
  orderByBandwidth,
  type SnifferGroup,
} from '../aggregate/sniffer-groups.js';
import type { SnifferStatus } from '../sources/sniffer/status.js';
import { formatFixed0, formatFixed0Width } from './perl-format.js';
import { renderTabular, toJson, type Column, type Row } from './tabular.js';

export type SnifferGrouping = 'cidr24' | 'domain';

export interface SnifferReport {
  grouping: SnifferGrouping;
  header: string;
  /** Groups in report order (bandwidth descending). */
  groups: SnifferGroup[];
  /** Σ R, Σ W of all groups (per hour). */
  ratePerHour: number;
  bytesPerHour: number;
  users: number;
  /** Host names per IP, for listing. */
  names: Map<string, string[]>;
}

export function buildSnifferReport(status: SnifferStatus, grouping: SnifferGrouping): SnifferReport {
  const byCidr24 = groupByCidr24(status.entries);
  const chosen = grouping === 'domain' ? groupByDomain(status.entries, byCidr24) : byCidr24;
  const names = new Map<string, string[]>();
  for (const entry of status.entries) names.set(entry.ip, entry.names);
  return {
    grouping,
    header: status.header,
    groups: orderByBandwidth(chosen.groups),
    ratePerHour: chosen.ratePerHour,
    bytesPerHour: chosen.bytesPerHour,
    users: status.entries.length,
    names,
  };
}

const TITLE = "\n   IP addr\t    host name\n qrys/mn -- bytes/sec -- #IP's\tlast contact time\n\n";

/** IPs of a group in ascending numeric order, as the report lists them. */
export function sortedIps(group: SnifferGroup): string[] {
  return group.ips
    .map((ip) => ({ ip, address: parseIp(ip)! }))
    .sort((a, b) => compareIp(a.address, b.address))
    .map(({ ip }) => ip);
}

/** The text report, byte for byte as `report()` prints it. Times are local unless `utc`. */
export function renderSnifferText(report: SnifferReport, options: { utc?: boolean } = {}): string {
  const type = report.grouping === 'domain' ? 'SUB DOMAIN' : 'CIDR/24';
  const parts: string[] = [report.header, `\nComposite report, ${type} ordered by BANDWIDTH\n`, TITLE];
  for (const group of report.groups) {
    for (const ip of sortedIps(group)) {
      parts.push(`${ip}\t${(report.names.get(ip) ?? []).join('\n\t\t')}\n`);
    }
    parts.push(
      ` ${formatFixed0Width(group.ratePerHour / 60, 6)}\t -- ${formatFixed0(group.bytesPerHour / 3600)}\t -- ` +
        `${group.ips.length}\t${formatMonthDayTime(group.lastUpdate, options.utc)}\n`,
    );
  }
  parts.push(TITLE);
  parts.push(
    `rate\t\t= ${formatFixed0(report.ratePerHour / 60)} connections per minute\n` +
      `bandwidth\t= ${formatFixed0(report.bytesPerHour / 3600)} bytes per second\n` +
      `users\t\t= ${report.users}\n`,
  );
  return parts.join('');
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
  return report.groups.map((group) => ({
    group: group.key,
    queriesPerMinute: group.ratePerHour / 60,
    bytesPerSecond: group.bytesPerHour / 3600,
    ipCount: group.ips.length,
    lastContact: group.lastUpdate,
    ips: sortedIps(group),
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
        groups: report.groups.map((group) => ({
          group: group.key,
          queriesPerMinute: group.ratePerHour / 60,
          bytesPerSecond: group.bytesPerHour / 3600,
          ratePerHour: group.ratePerHour,
          bytesPerHour: group.bytesPerHour,
          lastContact: group.lastUpdate,
          ips: sortedIps(group).map((ip) => ({ ip, names: report.names.get(ip) ?? [] })),
        })),
      },
      2,
    ) + '\n'
  );
}

export function renderSnifferCsv(report: SnifferReport): string {
  return renderTabular('csv', COLUMNS, snifferRows(report));
}
