/**
 * The Sniffer report as a self-contained HTML page: a bar chart of the heaviest groups (inline SVG, no
 * scripts, no CDN) and a table with the same numbers as the text report.
 */
import { formatMonthDayTime } from '../model/time.js';
import { escapeHtml, htmlPage, svgBarChart } from './html.js';
import { formatFixed0 } from './perl-format.js';
import type { SnifferReport } from './sniffer.js';

const CHART_GROUPS = 20;

function barChart(report: SnifferReport): string {
  const items = Array.from(report.order.subarray(0, CHART_GROUPS), (g) => {
    const group = report.groups.group(g);
    const label = group.key === '' ? report.table.ip(group.listing[0]!) : group.key;
    return { label, value: group.bytesPerHour / 3600 };
  });
  return svgBarChart(items, 'B/s');
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
  return htmlPage(
    title,
    `<pre>${escapeHtml(report.header.trim())}</pre>
${barChart(report)}
<table><thead><tr><th>group</th><th>qrys/mn</th><th>bytes/sec</th><th>#IP's</th><th>last contact</th><th>IP addr, host names</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>rate = ${formatFixed0(report.ratePerHour / 60)} connections per minute; bandwidth = ${formatFixed0(report.bytesPerHour / 3600)} bytes per second; users = ${report.users}</p>`,
  );
}
