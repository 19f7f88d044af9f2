/**
 * The Sniffer report as a self-contained HTML page: a bar chart of the heaviest groups (inline SVG, no
 * scripts, no CDN) and a table with the same numbers as the text report.
 */
import { formatMonthDayTime } from '../model/time.js';
import { formatFixed0 } from './perl-format.js';
import type { SnifferReport } from './sniffer.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const CHART_GROUPS = 20;

function barChart(report: SnifferReport): string {
  const shown = Array.from(report.order.subarray(0, CHART_GROUPS), (g) => report.groups.group(g));
  const max = Math.max(1, ...shown.map((group) => group.bytesPerHour / 3600));
  const rowHeight = 18;
  const labelWidth = 220;
  const barWidth = 520;
  const bars = shown
    .map((group, index) => {
      const perSecond = group.bytesPerHour / 3600;
      const width = Math.max(1, Math.round((perSecond / max) * barWidth));
      const label = group.key === '' ? report.table.ip(group.listing[0]!) : group.key;
      const y = index * rowHeight;
      return (
        `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 2}" width="${width}" height="${rowHeight - 4}" fill="#3b7dd8"/>` +
        `<text x="${labelWidth + width + 4}" y="${y + 13}">${formatFixed0(perSecond)} B/s</text>`
      );
    })
    .join('');
  const height = Math.max(rowHeight, shown.length * rowHeight);
  return `<svg class="chart" role="img" aria-label="bytes per second by group" width="${labelWidth + barWidth + 120}" height="${height}" font-size="12" font-family="sans-serif">${bars}</svg>`;
}

export function renderSnifferHtml(report: SnifferReport, options: { utc?: boolean } = {}): string {
  const title =
    report.grouping === 'domain'
      ? 'Composite report, SUB DOMAIN ordered by BANDWIDTH'
      : 'Composite report, CIDR/24 ordered by BANDWIDTH';
  const rows = Array.from(report.order, (g) => report.groups.group(g))
    .map((group) => {
      const { table } = report;
      const ips = Array.from(
        group.listing,
        (row) =>
          `${escapeHtml(table.ip(row))} <span class="names">${escapeHtml(table.names(row).join(', '))}</span>`,
      ).join('<br>');
      return (
        `<tr><td>${escapeHtml(group.key)}</td><td class="n">${formatFixed0(group.ratePerHour / 60)}</td>` +
        `<td class="n">${formatFixed0(group.bytesPerHour / 3600)}</td><td class="n">${group.members.length}</td>` +
        `<td>${formatMonthDayTime(group.lastUpdate, options.utc)}</td><td>${ips}</td></tr>`
      );
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}.n{text-align:right}.names{color:#666}pre{color:#555}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<pre>${escapeHtml(report.header.trim())}</pre>
${barChart(report)}
<table><thead><tr><th>group</th><th>qrys/mn</th><th>bytes/sec</th><th>#IP's</th><th>last contact</th><th>IP addr, host names</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>rate = ${formatFixed0(report.ratePerHour / 60)} connections per minute; bandwidth = ${formatFixed0(report.bytesPerHour / 3600)} bytes per second; users = ${report.users}</p>
</body></html>
`;
}
