/**
 * Views of ra-sum's per-MAC accounting: text tables, JSON, CSV, and the NDJSON stream `-b` writes for
 * billing (one object per line: `total`, then `address` or `class` lines).
 */
import { compareIp, parseIp } from '../model/ip.js';
import { renderTabular, toJson, type Column, type Row } from './tabular.js';

export interface TrafficTotals {
  inPackets: bigint;
  inBytes: bigint;
  outPackets: bigint;
  outBytes: bigint;
}

export interface MacTrafficReport {
  mac: string;
  /** First and last record time of the counted traffic, epoch seconds; undefined when nothing counted. */
  from: number | undefined;
  to: number | undefined;
  total: TrafficTotals;
  byAddress: ReadonlyMap<string, TrafficTotals>;
  byClass: ReadonlyMap<number, TrafficTotals>;
  /** Reader and accounting counters, for JSON and `-v`. */
  counters: Record<string, unknown>;
}

export type MacTrafficFormat = 'text' | 'json' | 'csv';

const COUNTER_COLUMNS: Column[] = [
  { key: 'inPackets', title: 'InPkts', numeric: true },
  { key: 'inBytes', title: 'InBytes', numeric: true },
  { key: 'outPackets', title: 'OutPkts', numeric: true },
  { key: 'outBytes', title: 'OutBytes', numeric: true },
];
const TOTAL_COLUMNS: Column[] = [{ key: 'mac', title: 'MAC' }, ...COUNTER_COLUMNS];
const ADDRESS_COLUMNS: Column[] = [{ key: 'address', title: 'Address' }, ...COUNTER_COLUMNS];
const CLASS_COLUMNS: Column[] = [{ key: 'class', title: 'Class', numeric: true }, ...COUNTER_COLUMNS];

function counterCells(totals: TrafficTotals): Row {
  return {
    inPackets: totals.inPackets,
    inBytes: totals.inBytes,
    outPackets: totals.outPackets,
    outBytes: totals.outBytes,
  };
}

function addressRows(report: MacTrafficReport): Row[] {
  return [...report.byAddress]
    .sort(([a], [b]) => compareIp(parseIp(a)!, parseIp(b)!))
    .map(([address, totals]) => ({ address, ...counterCells(totals) }));
}

function classRows(report: MacTrafficReport): Row[] {
  return [...report.byClass]
    .sort(([a], [b]) => a - b)
    .map(([classId, totals]) => ({ class: classId, ...counterCells(totals) }));
}

export interface MacTrafficSections {
  addresses: boolean;
  classes: boolean;
}

/** Renders the report; CSV holds one table, so it takes at most one of the address and class sections. */
export function renderMacTraffic(
  report: MacTrafficReport,
  format: MacTrafficFormat,
  sections: MacTrafficSections,
): string {
  const totalRow = { mac: report.mac, ...counterCells(report.total) };
  if (format === 'json') {
    const out: Record<string, unknown> = {
      mac: report.mac,
      from: report.from ?? null,
      to: report.to ?? null,
      total: counterCells(report.total),
    };
    if (sections.addresses) out.addresses = addressRows(report);
    if (sections.classes) out.classes = classRows(report);
    out.counters = report.counters;
    return toJson(out, 2) + '\n';
  }
  if (format === 'csv') {
    if (sections.addresses) return renderTabular('csv', ADDRESS_COLUMNS, addressRows(report));
    if (sections.classes) return renderTabular('csv', CLASS_COLUMNS, classRows(report));
    return renderTabular('csv', TOTAL_COLUMNS, [totalRow]);
  }
  const parts = [renderTabular('text', TOTAL_COLUMNS, [totalRow])];
  if (sections.addresses) parts.push(renderTabular('text', ADDRESS_COLUMNS, addressRows(report)));
  if (sections.classes) parts.push(renderTabular('text', CLASS_COLUMNS, classRows(report)));
  return parts.join('\n');
}

/**
 * The `-b` billing stream: NDJSON, one `{"type":"total",…}` line, then one line per address (`-i`) or per
 * class (`-t`). Counters are JSON numbers up to 2^53 and decimal strings above.
 */
export function renderMacTrafficStream(report: MacTrafficReport, sections: MacTrafficSections): string {
  const base = { mac: report.mac, from: report.from ?? null, to: report.to ?? null };
  const lines = [toJson({ type: 'total', ...base, ...counterCells(report.total) })];
  if (sections.addresses)
    for (const row of addressRows(report)) lines.push(toJson({ type: 'address', ...base, ...row }));
  if (sections.classes)
    for (const row of classRows(report)) lines.push(toJson({ type: 'class', ...base, ...row }));
  return lines.join('\n') + '\n';
}
