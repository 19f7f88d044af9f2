/**
 * Self-contained HTML reports: one page, inline SVG charts, no scripts and nothing fetched from anywhere,
 * so a report can be mailed, archived or opened from a file. The same rows as the text, JSON and CSV
 * output, plus a picture: bars for a ranking, lines for a series over time.
 */

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** 1234567 and "B" → "1.2 MB", 12 → "12 B". For chart labels only: tables keep exact numbers. */
export function formatQuantity(value: number, unit: string): string {
  const magnitude = Math.abs(value);
  for (const [limit, prefix] of [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (magnitude >= limit) return `${(value / limit).toFixed(1)} ${prefix}${unit}`;
  }
  return `${Number.isInteger(value) ? String(value) : value.toFixed(1)} ${unit}`.trimEnd();
}

/** Colours for lines, distinguishable and readable on white; reused in order past the tenth series. */
const PALETTE = [
  '#3b7dd8',
  '#d8553b',
  '#2e9e5b',
  '#8a4fd0',
  '#d89a1e',
  '#1ea3b8',
  '#c23b80',
  '#6b7d2e',
  '#555555',
  '#a0522d',
];

export interface BarItem {
  label: string;
  value: number;
}

/** A horizontal bar chart, longest bar = largest value; the value printed after each bar. */
export function svgBarChart(items: readonly BarItem[], unit: string): string {
  const rowHeight = 18;
  const labelWidth = 220;
  const barWidth = 520;
  const max = Math.max(1, ...items.map((item) => item.value));
  const bars = items
    .map((item, index) => {
      const width = Math.max(1, Math.round((Math.max(0, item.value) / max) * barWidth));
      const y = index * rowHeight;
      return (
        `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(item.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 2}" width="${width}" height="${rowHeight - 4}" fill="${PALETTE[0]}"/>` +
        `<text x="${labelWidth + width + 4}" y="${y + 13}">${escapeHtml(formatQuantity(item.value, unit))}</text>`
      );
    })
    .join('');
  const height = Math.max(rowHeight, items.length * rowHeight);
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(unit || 'value')} by key" ` +
    `width="${labelWidth + barWidth + 120}" height="${height}" font-size="12" font-family="sans-serif">${bars}</svg>`
  );
}

export interface LineSeries {
  name: string;
  /** One value per x position (NaN where the series has no value there). */
  values: readonly number[];
}

/**
 * Lines over evenly spaced x positions (time bins), a legend under the plot, the first and last x labels
 * and the largest value on the axes.
 */
export function svgLineChart(
  xLabels: readonly string[],
  series: readonly LineSeries[],
  unit: string,
): string {
  const width = 760;
  const plotHeight = 240;
  const left = 70;
  const right = 20;
  const top = 10;
  const legendRow = 16;
  const max = Math.max(1, ...series.flatMap((line) => line.values.filter(Number.isFinite)));
  const steps = Math.max(1, xLabels.length - 1);
  const x = (index: number) => left + ((width - left - right) * index) / steps;
  const y = (value: number) => top + plotHeight - (plotHeight * value) / max;
  const lines = series
    .map((line, index) => {
      const points = line.values
        .map((value, position) =>
          Number.isFinite(value) ? `${x(position).toFixed(1)},${y(value).toFixed(1)}` : '',
        )
        .filter((point) => point !== '')
        .join(' ');
      return `<polyline fill="none" stroke="${PALETTE[index % PALETTE.length]}" stroke-width="1.5" points="${points}"/>`;
    })
    .join('');
  const legend = series
    .map((line, index) => {
      const ly = top + plotHeight + 30 + index * legendRow;
      return (
        `<rect x="${left}" y="${ly - 9}" width="10" height="10" fill="${PALETTE[index % PALETTE.length]}"/>` +
        `<text x="${left + 16}" y="${ly}">${escapeHtml(line.name)}</text>`
      );
    })
    .join('');
  const axis =
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - right}" y2="${top + plotHeight}" stroke="#999"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#999"/>` +
    `<text x="${left - 4}" y="${top + 10}" text-anchor="end">${escapeHtml(formatQuantity(max, unit))}</text>` +
    `<text x="${left - 4}" y="${top + plotHeight}" text-anchor="end">0</text>` +
    (xLabels.length > 0
      ? `<text x="${left}" y="${top + plotHeight + 14}">${escapeHtml(xLabels[0]!)}</text>` +
        `<text x="${width - right}" y="${top + plotHeight + 14}" text-anchor="end">${escapeHtml(xLabels.at(-1)!)}</text>`
      : '');
  const height = top + plotHeight + 30 + series.length * legendRow;
  return (
    `<svg class="chart" role="img" aria-label="${escapeHtml(unit || 'value')} over time" ` +
    `width="${width}" height="${height}" font-size="12" font-family="sans-serif">${axis}${lines}${legend}</svg>`
  );
}

/** A whole page around `body` (already HTML), with the shared style. */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;vertical-align:top}.n{text-align:right}.names{color:#666}pre{color:#555}svg.chart{display:block;margin:1em 0}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}
