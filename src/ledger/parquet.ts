/**
 * A minimal Parquet writer: one row group of flat, optional columns, one PLAIN-encoded, uncompressed data
 * page per column. It exists so that DuckDB can load rows with `read_parquet` on its own thread: the file
 * is mostly the column arrays as they are in memory, written with one `writev`.
 *
 * Format: https://parquet.apache.org/docs/file-format/ (metadata in Thrift's compact protocol).
 */
import { writevSync } from 'node:fs';

/** Physical type and converted type of a column (parquet.thrift `Type`, `ConvertedType`). */
export const ParquetType = {
  uint16: { physical: 1, converted: 12 }, // INT32, UINT_16: values written as 4-byte integers
  uint32: { physical: 1, converted: 13 }, // INT32, UINT_32
  uint64: { physical: 2, converted: 14 }, // INT64, UINT_64
  double: { physical: 5, converted: undefined }, // DOUBLE
  utf8: { physical: 6, converted: 0 }, // BYTE_ARRAY, UTF8: each value a 4-byte length and its bytes
} as const;

export type ParquetTypeName = keyof typeof ParquetType;

/** One column of the row group, already encoded. */
export interface ParquetColumn {
  name: string;
  type: ParquetTypeName;
  /** Definition levels of every row (1 present, 0 NULL), RLE/bit-packed hybrid with bit width 1. */
  definitionLevels: readonly Uint8Array[];
  /** The present values, PLAIN encoded, in row order. */
  values: readonly Uint8Array[];
}

const MAGIC = Buffer.from('PAR1', 'latin1');
const PLAIN = 0;
const RLE = 3;

/** Definition levels of `rows` rows that are all present (`1`) or all NULL (`0`): one RLE run. */
export function definitionRun(rows: number, level: 0 | 1): Uint8Array {
  const out = new ThriftWriter();
  out.varint(rows * 2);
  out.byte(level);
  return out.bytes();
}

/**
 * The header of a bit-packed run of `rows` definition levels; the bits follow (row i is bit i & 7 of
 * byte i >> 3, 1 = present), padded to a whole byte.
 */
export function definitionBitsHeader(rows: number): Uint8Array {
  const out = new ThriftWriter();
  out.varint(Math.ceil(rows / 8) * 2 + 1);
  return out.bytes();
}

/** Writes the file to an open descriptor. */
export function writeParquet(fd: number, rows: number, columns: readonly ParquetColumn[]): void {
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const chunks: Array<{ offset: number; size: number }> = [];
  for (const column of columns) {
    const levelBytes = byteLength(column.definitionLevels);
    const valueBytes = byteLength(column.values);
    const bodyBytes = 4 + levelBytes + valueBytes;
    const header = pageHeader(rows, bodyBytes);
    const levelLength = Buffer.alloc(4);
    levelLength.writeUInt32LE(levelBytes, 0);
    parts.push(header, levelLength, ...column.definitionLevels, ...column.values);
    chunks.push({ offset, size: header.length + bodyBytes });
    offset += header.length + bodyBytes;
  }
  const footer = fileMetadata(rows, columns, chunks);
  const footerLength = Buffer.alloc(4);
  footerLength.writeUInt32LE(footer.length, 0);
  parts.push(footer, footerLength, MAGIC);
  writeAll(fd, parts);
}

function byteLength(parts: readonly Uint8Array[]): number {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  return total;
}

/** `writev` until everything is written (it may write less than asked). */
function writeAll(fd: number, parts: Uint8Array[]): void {
  // IOV_MAX on Linux is 1024.
  for (let first = 0; first < parts.length;) {
    const batch = parts.slice(first, first + 1024);
    let written = writevSync(fd, batch);
    let taken = 0;
    while (taken < batch.length && written >= batch[taken]!.byteLength) {
      written -= batch[taken]!.byteLength;
      taken++;
    }
    if (taken < batch.length && written > 0) {
      const part = batch[taken]!;
      parts[first + taken] = part.subarray(written);
    }
    first += taken;
  }
}

/** PageHeader{type DATA_PAGE, sizes, DataPageHeader{num_values, PLAIN, RLE, RLE}}. */
function pageHeader(rows: number, bodyBytes: number): Uint8Array {
  const out = new ThriftWriter();
  out.beginStruct();
  out.i32Field(1, 0); // DATA_PAGE
  out.i32Field(2, bodyBytes); // uncompressed_page_size
  out.i32Field(3, bodyBytes); // compressed_page_size (the same: no codec)
  out.structField(5); // data_page_header
  out.i32Field(1, rows); // num_values, NULLs included
  out.i32Field(2, PLAIN);
  out.i32Field(3, RLE); // definition levels
  out.i32Field(4, RLE); // repetition levels (none: flat schema)
  out.endStruct();
  out.endStruct();
  return out.bytes();
}

/** FileMetaData: the schema (a root and one optional element per column) and the one row group. */
function fileMetadata(
  rows: number,
  columns: readonly ParquetColumn[],
  chunks: ReadonlyArray<{ offset: number; size: number }>,
): Uint8Array {
  const out = new ThriftWriter();
  out.beginStruct();
  out.i32Field(1, 1); // version
  out.listField(2, STRUCT, columns.length + 1); // schema
  out.beginStruct();
  out.binaryField(4, 'schema'); // name
  out.i32Field(5, columns.length); // num_children
  out.endStruct();
  for (const column of columns) {
    const type = ParquetType[column.type];
    out.beginStruct();
    out.i32Field(1, type.physical);
    out.i32Field(3, 1); // repetition_type OPTIONAL
    out.binaryField(4, column.name);
    if (type.converted !== undefined) out.i32Field(6, type.converted);
    out.endStruct();
  }
  out.i64Field(3, rows); // num_rows
  out.listField(4, STRUCT, 1); // row_groups
  out.beginStruct();
  out.listField(1, STRUCT, columns.length); // columns
  let total = 0;
  for (const [index, column] of columns.entries()) {
    const { offset, size } = chunks[index]!;
    total += size;
    out.beginStruct();
    out.i64Field(2, offset); // file_offset
    out.structField(3); // meta_data
    out.i32Field(1, ParquetType[column.type].physical);
    out.listField(2, I32, 2); // encodings
    out.i32(PLAIN);
    out.i32(RLE);
    out.listField(3, BINARY, 1); // path_in_schema
    out.binary(column.name);
    out.i32Field(4, 0); // codec UNCOMPRESSED
    out.i64Field(5, rows); // num_values
    out.i64Field(6, size); // total_uncompressed_size
    out.i64Field(7, size); // total_compressed_size
    out.i64Field(9, offset); // data_page_offset
    out.endStruct();
    out.endStruct();
  }
  out.i64Field(2, total); // total_byte_size
  out.i64Field(3, rows); // num_rows
  out.endStruct();
  out.binaryField(6, 'netledger'); // created_by
  out.endStruct();
  return out.bytes();
}

/** Thrift compact protocol type ids. */
const I32 = 5;
const I64 = 6;
const BINARY = 8;
const LIST = 9;
const STRUCT = 12;

/** Thrift compact protocol, the parts Parquet metadata needs (non-negative integers only). */
class ThriftWriter {
  private buffer = Buffer.alloc(256);
  private length = 0;
  /** Last field id written, per open struct. */
  private readonly lastField: number[] = [];

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  byte(value: number): void {
    if (this.length === this.buffer.length) {
      const bigger = Buffer.alloc(this.buffer.length * 2);
      this.buffer.copy(bigger);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = value;
  }

  /** Unsigned LEB128, for values up to 2^53. */
  varint(value: number): void {
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  /** i32 and i64 are zigzag varints: a non-negative n is 2n. */
  i32(value: number): void {
    this.varint(value * 2);
  }

  binary(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.varint(bytes.length);
    for (const byte of bytes) this.byte(byte);
  }

  beginStruct(): void {
    this.lastField.push(0);
  }

  endStruct(): void {
    this.byte(0); // stop
    this.lastField.pop();
  }

  private field(id: number, type: number): void {
    const last = this.lastField.length - 1;
    const delta = id - this.lastField[last]!;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | type);
    } else {
      this.byte(type);
      this.i32(id);
    }
    this.lastField[last] = id;
  }

  i32Field(id: number, value: number): void {
    this.field(id, I32);
    this.i32(value);
  }

  i64Field(id: number, value: number): void {
    this.field(id, I64);
    this.i32(value);
  }

  binaryField(id: number, text: string): void {
    this.field(id, BINARY);
    this.binary(text);
  }

  structField(id: number): void {
    this.field(id, STRUCT);
    this.beginStruct();
  }

  /** A list header; the elements follow (structs each between {@link beginStruct} and {@link endStruct}). */
  listField(id: number, type: number, size: number): void {
    this.field(id, LIST);
    if (size < 15) {
      this.byte((size << 4) | type);
    } else {
      this.byte(0xf0 | type);
      this.varint(size);
    }
  }
}
