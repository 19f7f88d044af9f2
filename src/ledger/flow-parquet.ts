/**
 * Flow rows as the columns of a Parquet file ({@link writeParquet}), named and typed as the columns of
 * the `flows` table (all but `source_id`), so that DuckDB inserts them without a cast.
 */
import type { FlowRows, IdColumn, SmallColumn } from './flow-rows.js';
import { definitionBitsHeader, definitionRun, type ParquetColumn, type ParquetTypeName } from './parquet.js';

/** How one `flows` column is read from chunks of rows. */
interface ColumnSource {
  name: string;
  type: ParquetTypeName;
  /** Rows of a chunk without a value. */
  absent(rows: FlowRows): number;
  /** Whether a row has a value (asked only of chunks with some rows absent). */
  present(rows: FlowRows, row: number): boolean;
  /** The values present in a chunk, PLAIN encoded, in row order. */
  values(rows: FlowRows): Uint8Array;
}

const bytesOf = (array: ArrayBufferView, length: number): Uint8Array =>
  new Uint8Array(array.buffer, array.byteOffset, length);

/** A column every row has: its array as it is. */
function required(
  name: string,
  type: 'double' | 'uint64',
  array: (rows: FlowRows) => Float64Array | Uint32Array,
): ColumnSource {
  return {
    name,
    type,
    absent: () => 0,
    present: () => true,
    values: (rows) => bytesOf(array(rows), rows.rows * 8),
  };
}

/** A 32-bit column with absent rows: the array as it is when no row is absent, else the present values. */
function optional(
  name: string,
  type: 'uint32' | 'uint16',
  column: (rows: FlowRows) => IdColumn | SmallColumn,
  present: (rows: FlowRows, row: number) => boolean,
): ColumnSource {
  return {
    name,
    type,
    absent: (rows) => column(rows).absent,
    present,
    values(rows) {
      const { values, absent } = column(rows);
      if (absent === 0) return bytesOf(values, rows.rows * 4);
      const out = new Uint32Array(rows.rows - absent);
      let at = 0;
      for (let row = 0; row < rows.rows; row++) if (present(rows, row)) out[at++] = values[row]!;
      return bytesOf(out, at * 4);
    },
  };
}

/** A dictionary-id column: id 0 marks an absent value. */
const ids = (name: string, column: (rows: FlowRows) => IdColumn): ColumnSource =>
  optional(name, 'uint32', column, (rows, row) => column(rows).values[row] !== 0);

const small = (name: string, column: (rows: FlowRows) => SmallColumn): ColumnSource =>
  optional(name, 'uint16', column, (rows, row) => column(rows).missing[row] === 0);

const extraJson: ColumnSource = {
  name: 'extra',
  type: 'utf8',
  absent: (rows) => rows.rows - rows.extraCount,
  present: (rows, row) => rows.extras[row] !== undefined,
  values(rows) {
    let length = 0;
    for (let row = 0; row < rows.rows; row++) {
      const text = rows.extras[row];
      if (text !== undefined) length += 4 + Buffer.byteLength(text);
    }
    const out = Buffer.alloc(length);
    let at = 0;
    for (let row = 0; row < rows.rows; row++) {
      const text = rows.extras[row];
      if (text === undefined) continue;
      const written = out.write(text, at + 4);
      out.writeUInt32LE(written, at);
      at += 4 + written;
    }
    return out;
  },
};

/** The columns of `flows` after `source_id`, in table order. */
const COLUMNS: readonly ColumnSource[] = [
  required('ts_start', 'double', (rows) => rows.starts),
  required('ts_end', 'double', (rows) => rows.ends),
  ids('src', (rows) => rows.src),
  ids('dst', (rows) => rows.dst),
  small('sport', (rows) => rows.sport),
  small('dport', (rows) => rows.dport),
  ids('proto', (rows) => rows.proto),
  ids('src_mac', (rows) => rows.srcMac),
  ids('dst_mac', (rows) => rows.dstMac),
  small('vlan', (rows) => rows.vlan),
  ids('name', (rows) => rows.name),
  ids('sensor', (rows) => rows.sensor),
  ids('src_name', (rows) => rows.srcName),
  ids('dst_name', (rows) => rows.dstName),
  required('packets', 'uint64', (rows) => rows.packets),
  required('bytes', 'uint64', (rows) => rows.bytes),
  extraJson,
];

/**
 * The Parquet columns of consecutive chunks of rows: those with a value in some row (a column absent
 * from every row is left out, and the INSERT that reads the file leaves it NULL: DuckDB then fills it as
 * one constant instead of reading and storing a NULL per row). Columns present in every row are views of
 * the chunks' arrays: write the file before the chunks are reused.
 */
export function flowParquetColumns(chunks: readonly FlowRows[]): ParquetColumn[] {
  let total = 0;
  for (const rows of chunks) total += rows.rows;
  const columns: ParquetColumn[] = [];
  for (const source of COLUMNS) {
    const { name, type } = source;
    let absent = 0;
    for (const rows of chunks) absent += source.absent(rows);
    if (absent === total) continue;
    const values = chunks.map((rows) => source.values(rows));
    const definitionLevels =
      absent === 0
        ? [definitionRun(total, 1)]
        : [definitionBitsHeader(total), presenceBits(source, chunks, total)];
    columns.push({ name, type, definitionLevels, values });
  }
  return columns;
}

/** Bit i set when row i (across the chunks) has a value. */
function presenceBits(source: ColumnSource, chunks: readonly FlowRows[], total: number): Uint8Array {
  const bits = new Uint8Array(Math.ceil(total / 8));
  let at = 0;
  for (const rows of chunks) {
    const allPresent = source.absent(rows) === 0;
    for (let row = 0; row < rows.rows; row++, at++) {
      if (allPresent || source.present(rows, row)) bits[at >> 3]! |= 1 << (at & 7);
    }
  }
  return bits;
}
