/**
 * One renderer for every tabular report: the same rows as JSON, NDJSON, CSV, an aligned text table or an
 * HTML page with a chart.
 * Counter values may be bigint; JSON writes them as numbers when they fit in 2^53 and as strings otherwise,
 * so no consumer silently loses precision.
 */
import { formatIsoTime } from '../model/time.js';
import { escapeHtml, htmlPage, svgBarChart, svgLineChart } from './html.js';

export type Cell = string | number | bigint | boolean | null | undefined | readonly string[];
export type Row = Record<string, Cell>;

export interface Column {
  key: string;
  /** Header text; the key when absent. */
  title?: string;
  /** Right-align in text output (numbers). */
  numeric?: boolean;
}

export type TabularFormat = 'text' | 'json' | 'csv' | 'ndjson' | 'html';

export const TABULAR_FORMATS: readonly TabularFormat[] = ['text', 'json', 'csv', 'ndjson', 'html'];

/** The picture an HTML report draws from its rows (the other formats ignore it). */
export type ChartSpec =
  /** A ranking: one bar per row (the first 30), `label` column against `value` column. */
  | { kind: 'bars'; label: string; value: string; unit: string }
  /** A series: x positions are the distinct `x` values in ascending order, one line per `series` value. */
  | {
      kind: 'lines';
      x: string;
      /** The x column holds epoch seconds: label the axis with UTC times. */
      xEpoch?: boolean;
      series: string;
      value: string;
      unit: string;
    };

export interface Presentation {
  /** Page title of the HTML report. */
  title?: string;
  chart?: ChartSpec;
}

function jsonValue(cell: Cell): unknown {
  if (typeof cell === 'bigint') {
    return cell <= BigInt(Number.MAX_SAFE_INTEGER) && cell >= -BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(cell)
      : cell.toString();
  }
  return cell ?? null;
}

/** JSON.stringify that understands bigint (exact, as above). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, inner: unknown) => (typeof inner === 'bigint' ? jsonValue(inner) : inner),
    indent,
  );
}

function textValue(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (Array.isArray(cell)) return cell.join(' ');
  return String(cell);
}

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
export function csvField(cell: Cell): string {
  const text = textValue(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(columns: readonly Column[], rows: Iterable<Row>): string {
  const lines = [columns.map((column) => csvField(column.title ?? column.key)).join(',')];
  for (const row of rows) lines.push(columns.map((column) => csvField(row[column.key])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function renderNdjson(columns: readonly Column[], rows: Iterable<Row>): string {
  let out = '';
  for (const row of rows) out += toJson(pick(columns, row)) + '\n';
  return out;
}

export function renderJson(
  columns: readonly Column[],
  rows: Iterable<Row>,
  extra: Record<string, unknown> = {},
): string {
  const list = [...rows].map((row) => pick(columns, row));
  return toJson({ ...extra, rows: list }, 2) + '\n';
}

export function renderTextTable(columns: readonly Column[], rows: Iterable<Row>): string {
  const header = columns.map((column) => column.title ?? column.key);
  const body = [...rows].map((row) => columns.map((column) => textValue(row[column.key])));
  const widths = header.map((title, index) =>
    Math.max(title.length, ...body.map((cells) => cells[index]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) =>
        columns[index]!.numeric ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

export function renderTabular(
  format: TabularFormat,
  columns: readonly Column[],
  rows: Iterable<Row>,
  extra: Record<string, unknown> = {},
  presentation: Presentation = {},
): string {
  switch (format) {
    case 'html':
      return renderHtmlReport(columns, [...rows], extra, presentation);
    case 'json':
      return renderJson(columns, rows, extra);
    case 'ndjson':
      return renderNdjson(columns, rows);
    case 'csv':
      return renderCsv(columns, rows);
    case 'text':
      return renderTextTable(columns, rows);
  }
}

function pick(columns: readonly Column[], row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) out[column.key] = jsonValue(row[column.key]);
  return out;
}

const BAR_ROWS = 30;

/** The HTML report: what the JSON's extra fields say, the chart, then the table with exact numbers. */
export function renderHtmlReport(
  columns: readonly Column[],
  rows: readonly Row[],
  extra: Record<string, unknown> = {},
  presentation: Presentation = {},
): string {
  const facts = Object.entries(extra)
    .map(([key, value]) => {
      const text = typeof value === 'object' && value !== null ? toJson(value) : textValue(value as Cell);
      return `<b>${escapeHtml(key)}</b> ${escapeHtml(text)}`;
    })
    .join(' &middot; ');
  const header = columns.map((column) => `<th>${escapeHtml(column.title ?? column.key)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = columns.map((column) => {
        const text = escapeHtml(textValue(row[column.key]));
        return column.numeric ? `<td class="n">${text}</td>` : `<td>${text}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const parts = [
    facts === '' ? '' : `<p>${facts}</p>`,
    presentation.chart === undefined ? '' : chartOf(presentation.chart, rows),
    `<table><thead><tr>${header}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`,
  ];
  return htmlPage(presentation.title ?? 'netledger report', parts.filter((part) => part !== '').join('\n'));
}

function chartOf(spec: ChartSpec, rows: readonly Row[]): string {
  if (rows.length === 0) return '';
  if (spec.kind === 'bars') {
    const items = rows
      .slice(0, BAR_ROWS)
      .map((row) => ({ label: textValue(row[spec.label]), value: Number(row[spec.value] ?? 0) }));
    return svgBarChart(items, spec.unit);
  }
  // x positions in ascending order (numbers as numbers), whatever order the rows come in.
  const xValues = [...new Set(rows.map((row) => textValue(row[spec.x])))];
  const numeric = xValues.every((x) => x !== '' && Number.isFinite(Number(x)));
  xValues.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const positions = new Map(xValues.map((x, index) => [x, index]));
  const lines = new Map<string, number[]>();
  for (const row of rows) {
    const name = textValue(row[spec.series]);
    let values = lines.get(name);
    if (values === undefined) lines.set(name, (values = new Array<number>(positions.size).fill(Number.NaN)));
    const at = positions.get(textValue(row[spec.x]))!;
    values[at] = (Number.isNaN(values[at]!) ? 0 : values[at]!) + Number(row[spec.value] ?? 0);
  }
  return svgLineChart(
    spec.xEpoch ? xValues.map((x) => formatIsoTime(Number(x)).replace(/:00Z$/, 'Z')) : xValues,
    [...lines].map(([name, values]) => ({ name, values })),
    spec.unit,
  );
}
