/**
 * One renderer for every tabular report: the same rows as JSON, NDJSON, CSV or an aligned text table.
 * Counter values may be bigint; JSON writes them as numbers when they fit in 2^53 and as strings otherwise,
 * so no consumer silently loses precision.
 */

export type Cell = string | number | bigint | boolean | null | undefined | readonly string[];
export type Row = Record<string, Cell>;

export interface Column {
  key: string;
  /** Header text; the key when absent. */
  title?: string;
  /** Right-align in text output (numbers). */
  numeric?: boolean;
}

export type TabularFormat = 'text' | 'json' | 'csv' | 'ndjson';

export const TABULAR_FORMATS: readonly TabularFormat[] = ['text', 'json', 'csv', 'ndjson'];

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
): string {
  switch (format) {
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
