/**
 * Every output of the fwctl reports from one place: the `fwctlacctreport` text, or the same rows as JSON,
 * CSV and NDJSON through the shared tabular renderer.
 */
import type { FwctlAccountingReport } from '../aggregate/fwctl-accounting.js';
import type { SourceCounters } from '../model/record.js';
import { renderTabular, type Column, type Presentation, type Row, type TabularFormat } from './tabular.js';
import { renderFwctlHeading, renderFwctlText, sampleUnitLabel } from './fwctl-text.js';

export type FwctlReportKind = 'summary' | 'samples';

export interface FwctlRenderOptions {
  kind: FwctlReportKind;
  format: TabularFormat;
  utc?: boolean;
  /** Read/decoded/skipped counts, written into JSON output. */
  counters?: SourceCounters;
}

export const FWCTL_SUMMARY_COLUMNS: readonly Column[] = [
  { key: 'name' },
  { key: 'packets_sum', numeric: true },
  { key: 'bytes_sum', numeric: true },
  { key: 'packets_avg', numeric: true },
  { key: 'bytes_avg', numeric: true },
];

export const FWCTL_SAMPLE_COLUMNS: readonly Column[] = [
  { key: 'name' },
  { key: 'start', numeric: true },
  { key: 'packets', numeric: true },
  { key: 'bytes', numeric: true },
];

export function fwctlSummaryRows(report: FwctlAccountingReport): Row[] {
  return report.chains.map((chain) => ({
    name: chain.name,
    packets_sum: chain.packetsSum,
    bytes_sum: chain.bytesSum,
    packets_avg: chain.packetsAvg,
    bytes_avg: chain.bytesAvg,
  }));
}

export function fwctlSampleRows(report: FwctlAccountingReport): Row[] {
  const rows: Row[] = [];
  for (const chain of report.chains) {
    for (const sample of chain.samples ?? []) {
      rows.push({ name: chain.name, start: sample.start, packets: sample.packets, bytes: sample.bytes });
    }
  }
  return rows;
}

const HISTOGRAM_SAMPLES = new Set([3600, 86_400]);

/**
 * @example
 * process.stdout.write(renderFwctlReport(report, { kind: 'summary', format: 'csv' }));
 */
export function renderFwctlReport(report: FwctlAccountingReport, options: FwctlRenderOptions): string {
  const { kind, format } = options;
  if (format === 'text') {
    if (kind === 'summary') return renderFwctlText(report, { sections: ['summary'], utc: options.utc });
    if (HISTOGRAM_SAMPLES.has(report.sample)) {
      return renderFwctlText(report, { sections: ['packets', 'bytes'], utc: options.utc });
    }
    // Other sample lengths have no histogram layout in the original: a plain table.
    return (
      renderFwctlHeading(report, options.utc) +
      renderTabular('text', FWCTL_SAMPLE_COLUMNS, fwctlSampleRows(report))
    );
  }
  const columns = kind === 'summary' ? FWCTL_SUMMARY_COLUMNS : FWCTL_SAMPLE_COLUMNS;
  const rows = kind === 'summary' ? fwctlSummaryRows(report) : fwctlSampleRows(report);
  const extra = {
    report: kind,
    start: report.start,
    end: report.end,
    sample: report.sample,
    sample_unit: sampleUnitLabel(report.sample),
    samples: report.sampleCount,
    ...(options.counters === undefined ? {} : { counters: options.counters }),
  };
  const presentation: Presentation =
    kind === 'summary'
      ? {
          title: 'Firewall accounting summary',
          chart: { kind: 'bars', label: 'name', value: 'bytes_sum', unit: 'B' },
        }
      : {
          title: `Firewall accounting, ${report.sampleCount} samples of ${report.sample} s`,
          chart: { kind: 'lines', x: 'start', xEpoch: true, series: 'name', value: 'bytes', unit: 'B' },
        };
  return renderTabular(format, columns, rows, extra, presentation);
}
