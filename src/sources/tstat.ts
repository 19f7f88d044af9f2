/**
 * tstat `log_tcp_complete` / `log_udp_complete` reader (tstat 3.x, any log layout).
 *
 * Columns are matched by header name, never by position, as tstat_transport 0.6.5 does: the first line is
 * the header, `#15#c_ip:1` names the column `c_ip` (everything up to the right-most `#` and from the first
 * `:` is dropped). Lines are split like Python's `csv.reader(delimiter=' ')` with its default quoting: a
 * field that starts with `"` runs to the closing quote (spaces and even line ends included, `""` is a
 * quote), a quote anywhere else is literal. Blank lines are ignored; a row with fewer or more fields than
 * the header is skipped and counted (`short row`, `long row`), as the original skips it with a warning.
 *
 * The reader streams: it holds one chunk of the file. The fast path (`TstatLogScanner`) hands out each row
 * as a view into that chunk and makes no string for it.
 */
import { endianness } from 'node:os';
import type { SourceCounters, TrafficRecord } from '../model/record.js';
import { countSkipped, newSourceCounters } from '../model/record.js';
import { readLineChunks } from './line-chunks.js';
import { TextTable } from './text-table.js';

export type TstatProtocol = 'tcp' | 'udp';

/** The logs tstat_transport reads, in the order it reads them (tcp objects first). */
export const TSTAT_PROTOCOLS: readonly TstatProtocol[] = ['tcp', 'udp'];

export function tstatLogName(protocol: TstatProtocol): string {
  return `log_${protocol}_complete`;
}

/** Column name (cleaned) → field index, built once per header. */
export type TstatColumns = ReadonlyMap<string, number>;

/** `#15#c_ip:1` → `c_ip`: the original's `_sanitize_row` key rule. */
export function cleanHeaderName(raw: string): string {
  const hash = raw.lastIndexOf('#');
  const name = hash >= 0 ? raw.slice(hash + 1) : raw;
  const colon = name.indexOf(':');
  return colon >= 0 ? name.slice(0, colon) : name;
}

/**
 * Maps cleaned names to field indexes exactly as the original's dict handling does: `csv.DictReader`
 * zips the header with the row (a repeated name keeps its first position and its last value), then every
 * key is popped and re-inserted under its cleaned name in dict order.
 */
export function mapTstatColumns(header: readonly string[]): TstatColumns {
  const byRawName = new Map<string, number>();
  header.forEach((name, index) => byRawName.set(name, index));
  for (const raw of [...byRawName.keys()]) {
    const index = byRawName.get(raw);
    byRawName.delete(raw);
    if (index !== undefined) byRawName.set(cleanHeaderName(raw), index);
  }
  return byRawName;
}

/**
 * Python `csv.reader` (excel dialect, delimiter ' ') as a line-fed state machine: `push(line)` returns the
 * finished row, or undefined while a quoted field continues on the next line.
 */
export class TstatLineSplitter {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  private pending = false;

  /** True while a quoted field is open across lines. */
  get continuing(): boolean {
    return this.pending;
  }

  push(line: string): string[] | undefined {
    if (!this.pending && !line.includes('"')) return line === '' ? [] : line.split(' ');
    let field = this.field;
    let inQuotes = this.inQuotes;
    const fields = this.fields;
    // A quoted field that started on an earlier line: the line break is part of it.
    if (this.pending) field += '\n';
    let atFieldStart = !this.pending && true;
    for (let i = 0; i < line.length; i++) {
      const char = line[i];
      if (inQuotes) {
        if (char === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i++;
          } else inQuotes = false;
        } else field += char;
        continue;
      }
      if (char === ' ') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        continue;
      }
      if (char === '"' && atFieldStart && field === '') {
        inQuotes = true;
        atFieldStart = false;
        continue;
      }
      field += char;
      atFieldStart = false;
    }
    if (inQuotes) {
      this.field = field;
      this.inQuotes = true;
      this.pending = true;
      return undefined;
    }
    fields.push(field);
    this.reset();
    return fields;
  }

  /** At end of input: the open quoted field is kept, as Python's non-strict reader does. */
  finish(): string[] | undefined {
    if (!this.pending) return undefined;
    const fields = this.fields;
    fields.push(this.field);
    this.reset();
    return fields;
  }

  private reset(): void {
    this.fields = [];
    this.field = '';
    this.inQuotes = false;
    this.pending = false;
  }
}

/**
 * A data row as the scanner hands it out: the line is bytes[base, base + ends[width - 1]) and field i is
 * bytes[base + (i ? ends[i - 1] + 1 : 0), base + ends[i]). The view and its `ends` are reused for the next
 * row: read what you need before returning (or make a `TstatRow`).
 */
export interface TstatRowView {
  bytes: Buffer;
  base: number;
  ends: Int32Array;
  width: number;
  /** 1-based line of the row's first line. */
  line: number;
}

/** Field `index` of a row view as text (UTF-8, invalid bytes replaced). */
export function rowViewField(row: TstatRowView, index: number): string {
  const start = row.base + (index === 0 ? 0 : (row.ends[index - 1] as number) + 1);
  return row.bytes.toString('utf8', start, row.base + (row.ends[index] as number));
}

/** One data row that outlives the scan (for the generator API): its own bytes and field ends. */
export class TstatRow {
  /** Fields cut from `bytes` so far: after a few, an ASCII line is decoded once and sliced. */
  private decodedFields = 0;
  private text: string | undefined;

  private constructor(
    /** 1-based line of the row's first line. */
    readonly line: number,
    private readonly bytes: Buffer,
    private readonly ends: Int32Array,
  ) {}

  /** A copy of the row a view shows. */
  static fromView(view: TstatRowView): TstatRow {
    const length = view.ends[view.width - 1] as number;
    const bytes = Buffer.from(view.bytes.subarray(view.base, view.base + length));
    return new TstatRow(view.line, bytes, view.ends.slice(0, view.width));
  }

  static fromFields(fields: readonly string[], line: number): TstatRow {
    const { bytes, ends } = encodeFields(fields);
    return new TstatRow(line, bytes, ends);
  }

  get width(): number {
    return this.ends.length;
  }

  /** Field `index` (0-based), undefined past the end. */
  field(index: number): string | undefined {
    const ends = this.ends;
    if (index >= ends.length) return undefined;
    const start = index === 0 ? 0 : (ends[index - 1] as number) + 1;
    const end = ends[index] as number;
    if (this.text !== undefined) return this.text.slice(start, end);
    // Rows below the threshold need two or three fields: decode those alone. A row being used whole is
    // decoded once when it is ASCII (byte offsets are then character offsets).
    if (++this.decodedFields === 6 && this.bytes.every((byte) => byte < 0x80)) {
      this.text = this.bytes.toString('latin1');
      return this.text.slice(start, end);
    }
    return this.bytes.toString('utf8', start, end);
  }

  /** Every field (allocates: for tests and slow paths). */
  get fields(): string[] {
    const fields: string[] = [];
    for (let i = 0; i < this.width; i++) fields.push(this.field(i) ?? '');
    return fields;
  }
}

/** A row view of fields already split (tests, and lines the text path split). */
export function tstatRowView(fields: readonly string[], line: number): TstatRowView {
  const { bytes, ends } = encodeFields(fields);
  return { bytes, base: 0, ends, width: fields.length, line };
}

/** Fields split by the text path, as bytes with field ends (fields may hold spaces: never split again). */
function encodeFields(fields: readonly string[]): { bytes: Buffer; ends: Int32Array } {
  let length = fields.length;
  for (const field of fields) length += Buffer.byteLength(field, 'utf8');
  const bytes = Buffer.allocUnsafe(length);
  const ends = new Int32Array(fields.length);
  let pos = 0;
  fields.forEach((field, index) => {
    pos += bytes.write(field, pos, 'utf8');
    ends[index] = pos;
    bytes[pos++] = SPACE;
  });
  return { bytes, ends };
}

const SPACE = 0x20;
const QUOTE = 0x22;
const CARRIAGE_RETURN = 0x0d;
const NEWLINE = 0x0a;
const SPACES = 0x20202020;
const LOW_7_BITS = 0x7f7f7f7f;
const LITTLE_ENDIAN = endianness() === 'LE';

/** What the scanner reports: the header once, then every row of the header's width. */
export interface TstatScanHandler {
  header(columns: TstatColumns, width: number): void;
  row(row: TstatRowView): void;
}

export interface TstatReadOptions {
  counters?: SourceCounters;
  /** Called for every skipped row (the original prints a warning). */
  onSkip?: (warning: { file: string; line: number; reason: string }) => void;
  /** Read size (the buffer grows for longer lines). */
  chunkBytes?: number;
}

export const TSTAT_READ_DEFAULTS = {
  chunkBytes: 1 << 20,
} as const;

/**
 * The rows of one tstat log, from its bytes: fed whole lines, it reports the header and then each row of
 * the header's width as a view into the bytes it was fed (no copy, no string), counting and reporting the
 * rows it skips. A plain line (no quote, no carriage return) is measured in place; any other line goes
 * through the Python csv state machine and its fields are re-encoded. Counters: `read` = data rows seen,
 * `decoded` = rows of the right length.
 */
export class TstatLogScanner {
  private readonly splitter = new TstatLineSplitter();
  private readonly counters: SourceCounters;
  private columns: TstatColumns | undefined;
  private width = 0;
  private lineNumber = 0;
  private rowLine = 0;
  /** The bytes being scanned as 32-bit words, when they are aligned (see plainLine). */
  private words: Int32Array | undefined;
  private readonly view: TstatRowView = {
    bytes: Buffer.alloc(0),
    base: 0,
    ends: new Int32Array(256),
    width: 0,
    line: 0,
  };

  constructor(
    private readonly file: string,
    private readonly handler: TstatScanHandler,
    private readonly options: TstatReadOptions = {},
  ) {
    this.counters = options.counters ?? newSourceCounters();
  }

  /**
   * Scans the lines of bytes[start, end): each ends with a newline, except a last one when the file ends
   * there. The bytes may be reused once this returns.
   */
  scan(bytes: Buffer, start: number, end: number): void {
    this.words =
      LITTLE_ENDIAN && bytes.byteOffset % 4 === 0
        ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)
        : undefined;
    const region = end === bytes.length ? bytes : bytes.subarray(0, end);
    // Quotes and carriage returns are rare: find them once, so a plain line's scan only looks for spaces.
    let special = this.nextSpecial(region, start);
    let pos = start;
    while (pos < end) {
      let newline = region.indexOf(NEWLINE, pos);
      if (newline < 0) newline = end;
      if (newline < special && this.columns !== undefined && !this.splitter.continuing) {
        this.plainLine(bytes, pos, newline);
      } else {
        this.textLine(bytes.toString('utf8', pos, newline));
        if (special <= newline) special = this.nextSpecial(region, newline + 1);
      }
      pos = newline + 1;
    }
  }

  /** Lines seen so far (the header and blank lines included). */
  get lines(): number {
    return this.lineNumber;
  }

  /**
   * Numbers the next line `line + 1`: for a scanner that read the header and is then fed the lines of
   * the log from somewhere in the middle (a chunk rendered on a worker thread numbers its lines from 1;
   * the rest of a log read in place after chunks rendered elsewhere). Only between whole rows: a quoted
   * field must not be open.
   */
  continueAt(line: number): void {
    if (this.splitter.continuing) throw new Error('TstatLogScanner.continueAt inside a quoted field');
    this.lineNumber = line;
  }

  /** At the end of the file: a quoted field still open is kept, as Python's non-strict reader does. */
  finish(): void {
    const last = this.splitter.finish();
    if (last !== undefined) this.take(last);
  }

  private nextSpecial(region: Buffer, from: number): number {
    const quote = region.indexOf(QUOTE, from);
    const carriageReturn = region.indexOf(CARRIAGE_RETURN, from);
    return Math.min(quote < 0 ? Infinity : quote, carriageReturn < 0 ? Infinity : carriageReturn);
  }

  /** A data line without quotes or carriage returns: split on single spaces in place. */
  private plainLine(bytes: Buffer, start: number, end: number): void {
    this.lineNumber++;
    this.rowLine = this.lineNumber;
    if (start === end) return; // blank line: DictReader skips it
    const view = this.view;
    const ends = view.ends.length > end - start ? view.ends : this.growEnds(end - start + 1);
    const words = this.words;
    let count = 0;
    let i = start;
    if (words !== undefined && end - start >= 16) {
      // Four bytes at a time (the bytes are 4-aligned, little-endian): a word without a space costs a
      // few operations instead of four byte loads, and a space's position comes from its bit.
      for (; (i & 3) !== 0; i++) if (bytes[i] === SPACE) ends[count++] = i - start;
      const lastWord = end >> 2;
      for (let word = i >> 2; word < lastWord; word++) {
        const x = (words[word] as number) ^ SPACES;
        // 0x80 in each byte of x that is zero (a space), nothing else: exact, no borrow between bytes.
        let spaces = ~(((x & LOW_7_BITS) + LOW_7_BITS) | x | LOW_7_BITS);
        while (spaces !== 0) {
          const lowest = spaces & -spaces;
          ends[count++] = (word << 2) + ((31 - Math.clz32(lowest)) >> 3) - start;
          spaces ^= lowest;
        }
      }
      i = lastWord << 2;
    }
    for (; i < end; i++) if (bytes[i] === SPACE) ends[count++] = i - start;
    ends[count++] = end - start;
    if (count !== this.width) return this.skipRow(count);
    this.counters.read++;
    this.counters.decoded++;
    view.bytes = bytes;
    view.base = start;
    view.width = count;
    view.line = this.rowLine;
    this.handler.row(view);
  }

  private growEnds(length: number): Int32Array {
    let size = this.view.ends.length;
    while (size < length) size *= 2;
    this.view.ends = new Int32Array(size);
    return this.view.ends;
  }

  /** Any other line (the header, quotes, carriage returns), as text. */
  private textLine(rawLine: string): void {
    this.lineNumber++;
    // Universal newlines as Python's text mode: \r\n and a lone \r both end a line.
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.includes('\r')) {
      const parts = line.split('\r');
      line = parts.pop() ?? '';
      for (const part of parts) this.textPart(part);
    }
    this.textPart(line);
  }

  private textPart(line: string): void {
    if (!this.splitter.continuing) this.rowLine = this.lineNumber;
    const fields = this.splitter.push(line);
    if (fields !== undefined) this.take(fields);
  }

  private take(fields: string[]): void {
    if (this.columns === undefined) {
      // DictReader: the first row is the header, whatever it holds.
      this.columns = mapTstatColumns(fields);
      this.width = fields.length;
      this.handler.header(this.columns, this.width);
      return;
    }
    if (fields.length === 0) return; // blank line: DictReader skips it
    if (fields.length !== this.width) return this.skipRow(fields.length);
    this.counters.read++;
    this.counters.decoded++;
    this.handler.row(tstatRowView(fields, this.rowLine));
  }

  private skipRow(count: number): void {
    this.counters.read++;
    const reason = count < this.width ? 'short row' : 'long row';
    countSkipped(this.counters, reason);
    this.options.onSkip?.({ file: this.file, line: this.rowLine, reason });
  }
}

/**
 * The bytes of a file in whole lines: yields (buffer, end) with bytes[0, end) holding whole lines (the
 * last region may end without a newline). The buffer is reused: consume each region before the next.
 */
export function tstatLogChunks(
  file: string,
  chunkBytes: number = TSTAT_READ_DEFAULTS.chunkBytes,
): AsyncGenerator<[Buffer, number]> {
  return readLineChunks(file, { chunkBytes });
}

/**
 * As `tstatLogChunks`, the same regions, but each in a buffer the caller keeps (to hand it to another
 * thread, say): `allocate(bytes)` gives a buffer of exactly that size (fresh or reused), and the bytes of
 * a line cut by the end of a read are copied into the next buffer.
 */
export function tstatLogBlocks(
  file: string,
  allocate: (bytes: number) => Buffer,
  chunkBytes: number = TSTAT_READ_DEFAULTS.chunkBytes,
): AsyncGenerator<[Buffer, number]> {
  return readLineChunks(file, { chunkBytes, allocate });
}

export interface TstatRowBatch {
  columns: TstatColumns;
  rows: TstatRow[];
}

/**
 * Streams the rows of one tstat log in batches (one batch per chunk read). An empty file or a header-only
 * file yields nothing. Counters: `read` = data rows seen, `decoded` = rows of the right length.
 */
export async function* readTstatLog(
  file: string,
  options: TstatReadOptions = {},
): AsyncGenerator<TstatRowBatch> {
  let columns: TstatColumns | undefined;
  let rows: TstatRow[] = [];
  const scanner = new TstatLogScanner(
    file,
    {
      header: (header) => {
        columns = header;
      },
      row: (view) => {
        rows.push(TstatRow.fromView(view));
      },
    },
    options,
  );
  for await (const [bytes, end] of tstatLogChunks(file, options.chunkBytes)) {
    scanner.scan(bytes, 0, end);
    if (rows.length > 0 && columns !== undefined) {
      yield { columns, rows };
      rows = [];
    }
  }
  scanner.finish();
  if (rows.length > 0 && columns !== undefined) yield { columns, rows };
}

/** A field of a row by cleaned column name; undefined when the log has no such column. */
export function tstatField(columns: TstatColumns, row: TstatRow, name: string): string | undefined {
  const index = columns.get(name);
  return index === undefined ? undefined : row.field(index);
}

export interface TstatRecordOptions extends TstatReadOptions {
  protocol: TstatProtocol;
  sensor?: string;
}

/**
 * The common records of a tstat log: one record per direction of each flow (client→server first), with
 * the payload bytes tstat_transport reports (`bytes_uniq` for TCP, `bytes_all` for UDP) and the data
 * packets. Rows whose addresses or counters are not numbers are skipped and counted
 * (`non-numeric counter`), and so are rows with a port outside 0..65535 (`port out of range`) or an end
 * before their start (`end before start`).
 */
export async function* readTstatRecords(
  file: string,
  options: TstatRecordOptions,
): AsyncGenerator<TrafficRecord> {
  for await (const batch of readTstatRecordBatches(file, options)) yield* batch;
}

/**
 * {@link readTstatRecords} in batches (the records of each chunk read), straight from the scanner's row
 * views: the columns are looked up once per header, numbers are read from the bytes, no row is copied.
 */
export async function* readTstatRecordBatches(
  file: string,
  options: TstatRecordOptions,
): AsyncGenerator<TrafficRecord[]> {
  const counters = options.counters ?? newSourceCounters();
  const maker = new TstatRecordMaker(options, counters);
  const scanner = new TstatLogScanner(file, maker, { ...options, counters });
  for await (const [bytes, end] of tstatLogChunks(file, options.chunkBytes)) {
    scanner.scan(bytes, 0, end);
    if (maker.records.length > 0) yield maker.take();
  }
  scanner.finish();
  if (maker.records.length > 0) yield maker.take();
}

/** Field indexes of the columns a record needs; -1 for a column the log does not have. */
interface RecordColumns {
  cIp: number;
  sIp: number;
  cPort: number;
  sPort: number;
  cBytes: number;
  cPackets: number;
  sBytes: number;
  sPackets: number;
  /** TCP: `first`, `last`; UDP: `c_first_abs`, `c_durat`. */
  first: number;
  lastOrDuration: number;
}

const DOT = 0x2e;
const DIGIT_0 = 0x30;
/** 10^k for k ≤ 15: exact, so up to 15 digits divided by one is correctly rounded (the same as Number). */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/** Turns the scanner's rows into records (a {@link TstatScanHandler}), collecting them until taken. */
class TstatRecordMaker implements TstatScanHandler {
  records: TrafficRecord[] = [];
  private columns: RecordColumns | undefined;
  private readonly tcp: boolean;
  private readonly texts = new TextTable();

  constructor(
    private readonly options: TstatRecordOptions,
    private readonly counters: SourceCounters,
  ) {
    this.tcp = options.protocol === 'tcp';
  }

  take(): TrafficRecord[] {
    const records = this.records;
    this.records = [];
    return records;
  }

  header(columns: TstatColumns): void {
    const index = (name: string): number => columns.get(name) ?? -1;
    const bytesName = this.tcp ? 'bytes_uniq' : 'bytes_all';
    const packetsName = this.tcp ? 'pkts_data' : 'pkts_all';
    this.columns = {
      cIp: index('c_ip'),
      sIp: index('s_ip'),
      cPort: index('c_port'),
      sPort: index('s_port'),
      cBytes: index(`c_${bytesName}`),
      cPackets: index(`c_${packetsName}`),
      sBytes: index(`s_${bytesName}`),
      sPackets: index(`s_${packetsName}`),
      first: index(this.tcp ? 'first' : 'c_first_abs'),
      lastOrDuration: index(this.tcp ? 'last' : 'c_durat'),
    };
  }

  row(row: TstatRowView): void {
    const columns = this.columns!;
    const cBytes = fieldNumber(row, columns.cBytes);
    const cPackets = fieldNumber(row, columns.cPackets);
    const sBytes = fieldNumber(row, columns.sBytes);
    const sPackets = fieldNumber(row, columns.sPackets);
    const cPort = fieldNumber(row, columns.cPort);
    const sPort = fieldNumber(row, columns.sPort);
    let start: number;
    let end: number;
    if (this.tcp) {
      start = fieldNumber(row, columns.first) / 1000;
      end = fieldNumber(row, columns.lastOrDuration) / 1000;
    } else {
      start = fieldNumber(row, columns.first) / 1000;
      end = start + fieldNumber(row, columns.lastOrDuration) / 1000;
    }
    if (
      !isCount(cBytes) ||
      !isCount(cPackets) ||
      !isCount(sBytes) ||
      !isCount(sPackets) ||
      !Number.isFinite(start) ||
      !Number.isFinite(end) ||
      !Number.isInteger(cPort) ||
      !Number.isInteger(sPort)
    ) {
      countSkipped(this.counters, 'non-numeric counter');
      this.counters.decoded--;
      return;
    }
    if (!isPort(cPort) || !isPort(sPort)) {
      countSkipped(this.counters, 'port out of range');
      this.counters.decoded--;
      return;
    }
    if (end < start) {
      // `last` before `first`, or a negative duration: no interval a record can hold.
      countSkipped(this.counters, 'end before start');
      this.counters.decoded--;
      return;
    }
    const cIp = this.text(row, columns.cIp);
    const sIp = this.text(row, columns.sIp);
    const proto = this.options.protocol;
    const toServer: TrafficRecord = {
      start,
      end,
      proto,
      src: cIp,
      sport: cPort,
      dst: sIp,
      dport: sPort,
      bytes: cBytes,
      packets: cPackets,
      extra: { direction: 'c2s' },
    };
    const toClient: TrafficRecord = {
      start,
      end,
      proto,
      src: sIp,
      sport: sPort,
      dst: cIp,
      dport: cPort,
      bytes: sBytes,
      packets: sPackets,
      extra: { direction: 's2c' },
    };
    const sensor = this.options.sensor;
    if (sensor) {
      toServer.sensor = sensor;
      toClient.sensor = sensor;
    }
    this.records.push(toServer, toClient);
  }

  /** Field `index` as text ('' when the log has no such column); ASCII texts seen before are reused. */
  private text(row: TstatRowView, index: number): string {
    if (index < 0) return '';
    const start = row.base + (index === 0 ? 0 : (row.ends[index - 1] as number) + 1);
    const end = row.base + (row.ends[index] as number);
    return this.texts.get(row.bytes, start, end) ?? row.bytes.toString('utf8', start, end);
  }
}

const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;
const isPort = (value: number): boolean => value >= 0 && value <= 65535;

/**
 * Field `index` as a number as `Number(text)` reads it (NaN for an absent column or a blank field): plain
 * decimals of up to 15 digits from the bytes, anything else through Number.
 */
function fieldNumber(row: TstatRowView, index: number): number {
  if (index < 0) return NaN;
  const bytes = row.bytes;
  const start = row.base + (index === 0 ? 0 : (row.ends[index - 1] as number) + 1);
  const end = row.base + (row.ends[index] as number);
  let mantissa = 0;
  let digits = 0;
  let point = -1;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    const digit = byte - DIGIT_0;
    if (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
    } else if (byte === DOT && point < 0) {
      point = digits;
    } else {
      return numberOfText(row, index);
    }
  }
  if (digits === 0 || digits > 15) return numberOfText(row, index);
  return point < 0 || point === digits ? mantissa : mantissa / (POWERS_OF_TEN[digits - point] as number);
}

function numberOfText(row: TstatRowView, index: number): number {
  const text = rowViewField(row, index);
  return text.trim() === '' ? NaN : Number(text);
}
