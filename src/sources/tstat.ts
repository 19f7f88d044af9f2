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
 * The reader streams: it holds one chunk of the file and the rows parsed from it.
 */
import { createReadStream } from 'node:fs';
import { fromFsError } from '../model/errors.js';
import type { SourceCounters, TrafficRecord } from '../model/record.js';
import { countSkipped, newSourceCounters } from '../model/record.js';

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
 * One data row. A row without quotes keeps its line and the end offset of each field, and cuts a field
 * out only when asked (most of tstat's 130 TCP columns are never read); a row with quotes keeps its
 * split fields.
 */
export class TstatRow {
  /** Fields cut from `bytes` so far: after a few, the whole line is decoded once and sliced. */
  private decodedFields = 0;

  private constructor(
    /** 1-based line of the row's first line. */
    readonly line: number,
    private text: string,
    private readonly ends: Int32Array | undefined,
    private readonly split: readonly string[] | undefined,
    private bytes?: Buffer,
    private readonly base = 0,
    private readonly ascii = false,
  ) {}

  /** A line still in the read buffer: bytes from `base`, `ends[i]` relative to it. Decoded per field. */
  static fromBytes(bytes: Buffer, base: number, ends: Int32Array, line: number, ascii: boolean): TstatRow {
    return new TstatRow(line, '', ends, undefined, bytes, base, ascii);
  }

  static fromFields(fields: readonly string[], line: number): TstatRow {
    return new TstatRow(line, '', undefined, fields);
  }

  /** `text` split on single spaces; `ends[i]` is where field i ends. */
  static fromPlainLine(text: string, ends: Int32Array, line: number): TstatRow {
    return new TstatRow(line, text, ends, undefined);
  }

  get width(): number {
    return this.ends?.length ?? this.split?.length ?? 0;
  }

  /** Field `index` (0-based), undefined past the end. */
  field(index: number): string | undefined {
    const ends = this.ends;
    if (ends === undefined) return this.split?.[index];
    if (index >= ends.length) return undefined;
    const start = index === 0 ? 0 : (ends[index - 1] as number) + 1;
    const end = ends[index] as number;
    const bytes = this.bytes;
    if (bytes !== undefined) {
      // Rows below the threshold need two or three fields: decode those alone. A row being rendered
      // needs ~45: an ASCII line (byte offsets = character offsets) is then decoded once.
      if (!this.ascii || ++this.decodedFields < 6)
        return bytes.toString('utf8', this.base + start, this.base + end);
      this.text = bytes.toString('latin1', this.base, this.base + (ends[ends.length - 1] as number));
      this.bytes = undefined;
    }
    return this.text.slice(start, end);
  }

  /** Every field (allocates: for tests and slow paths). */
  get fields(): string[] {
    const fields: string[] = [];
    for (let i = 0; i < this.width; i++) fields.push(this.field(i) ?? '');
    return fields;
  }
}

/**
 * End offsets of the fields of an unquoted line split on single spaces, in one scan: into `scratch` (grown
 * when needed); returns the number of fields.
 */
function scanFieldEnds(line: string, scratch: { ends: Int32Array }): number {
  let count = 0;
  let space = line.indexOf(' ');
  while (space >= 0) {
    if (count === scratch.ends.length) {
      const grown = new Int32Array(scratch.ends.length * 2);
      grown.set(scratch.ends);
      scratch.ends = grown;
    }
    scratch.ends[count++] = space;
    space = line.indexOf(' ', space + 1);
  }
  if (count === scratch.ends.length) {
    const grown = new Int32Array(scratch.ends.length * 2);
    grown.set(scratch.ends);
    scratch.ends = grown;
  }
  scratch.ends[count++] = line.length;
  return count;
}

const SPACE = 0x20;
const QUOTE = 0x22;
const CARRIAGE_RETURN = 0x0d;

/**
 * End offsets (relative to `start`) of the space-separated fields of bytes[start, end) into `scratch`;
 * returns the number of fields, or -1 when the line holds a quote or a carriage return (the text path
 * handles those).
 */
function scanByteFieldEnds(
  bytes: Buffer,
  start: number,
  end: number,
  scratch: { ends: Int32Array; ascii: boolean },
): number {
  let ends = scratch.ends;
  let count = 0;
  let high = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i] as number;
    high |= byte;
    if (byte === SPACE) {
      if (count === ends.length - 1) {
        const grown = new Int32Array(ends.length * 2);
        grown.set(ends);
        scratch.ends = ends = grown;
      }
      ends[count++] = i - start;
    } else if (byte === QUOTE || byte === CARRIAGE_RETURN) return -1;
  }
  ends[count++] = end - start;
  scratch.ascii = high < 0x80;
  return count;
}

export interface TstatRowBatch {
  columns: TstatColumns;
  rows: TstatRow[];
}

export interface TstatReadOptions {
  counters?: SourceCounters;
  /** Called for every skipped row (the original prints a warning). */
  onSkip?: (warning: { file: string; line: number; reason: string }) => void;
  /** Read size; rows are handed out per chunk. */
  chunkBytes?: number;
}

/**
 * Streams the rows of one tstat log in batches (one batch per chunk read). An empty file or a header-only
 * file yields nothing. Counters: `read` = data rows seen, `decoded` = rows of the right length.
 */
export async function* readTstatLog(
  file: string,
  options: TstatReadOptions = {},
): AsyncGenerator<TstatRowBatch> {
  const counters = options.counters ?? newSourceCounters();
  const splitter = new TstatLineSplitter();
  let columns: TstatColumns | undefined;
  let width = 0;
  let lineNumber = 0;
  let rowLine = 0;
  let rows: TstatRow[] = [];
  const scratch = { ends: new Int32Array(256), ascii: true };

  const take = (fields: string[]): void => {
    if (columns === undefined) {
      // DictReader: the first row is the header, whatever it holds.
      columns = mapTstatColumns(fields);
      width = fields.length;
      return;
    }
    if (fields.length === 0) return; // blank line: DictReader skips it
    if (fields.length !== width) return skipRow(fields.length);
    counters.read++;
    counters.decoded++;
    rows.push(TstatRow.fromFields(fields, rowLine));
  };

  const skipRow = (count: number): void => {
    counters.read++;
    const reason = count < width ? 'short row' : 'long row';
    countSkipped(counters, reason);
    options.onSkip?.({ file, line: rowLine, reason });
  };

  const feedLine = (rawLine: string): void => {
    lineNumber++;
    // Universal newlines as Python's text mode: \r\n and a lone \r both end a line.
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.includes('\r')) {
      const parts = line.split('\r');
      line = parts.pop() ?? '';
      for (const part of parts) feedSplit(part);
    }
    feedSplit(line);
  };

  const feedSplit = (line: string): void => {
    if (!splitter.continuing) {
      rowLine = lineNumber;
      // Hot path: a data line without quotes is not split at all, only measured.
      if (columns !== undefined && !line.includes('"')) {
        if (line === '') return;
        const count = scanFieldEnds(line, scratch);
        if (count !== width) return skipRow(count);
        counters.read++;
        counters.decoded++;
        rows.push(TstatRow.fromPlainLine(line, scratch.ends.slice(0, count), rowLine));
        return;
      }
    }
    const fields = splitter.push(line);
    if (fields !== undefined) take(fields);
  };

  /** One line (without its \n) still in the read buffer: measured in place when it is a plain data line. */
  const feedBytes = (bytes: Buffer, start: number, end: number): void => {
    if (columns !== undefined && !splitter.continuing) {
      const count = start === end ? 0 : scanByteFieldEnds(bytes, start, end, scratch);
      if (count >= 0) {
        lineNumber++;
        rowLine = lineNumber;
        if (count === 0) return; // blank line
        if (count !== width) return skipRow(count);
        counters.read++;
        counters.decoded++;
        rows.push(TstatRow.fromBytes(bytes, start, scratch.ends.slice(0, count), rowLine, scratch.ascii));
        return;
      }
    }
    feedLine(bytes.toString('utf8', start, end));
  };

  let carry: Buffer | undefined;
  let stream;
  try {
    stream = createReadStream(file, { highWaterMark: options.chunkBytes ?? 256 * 1024 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
      let start = 0;
      let newline = bytes.indexOf(0x0a, start);
      while (newline >= 0) {
        feedBytes(bytes, start, newline);
        start = newline + 1;
        newline = bytes.indexOf(0x0a, start);
      }
      carry = start < bytes.length ? bytes.subarray(start) : undefined;
      if (rows.length > 0 && columns !== undefined) {
        yield { columns, rows };
        rows = [];
      }
    }
  } catch (error) {
    throw fromFsError(error, file);
  }
  if (carry !== undefined) feedBytes(carry, 0, carry.length);
  const last = splitter.finish();
  if (last !== undefined) take(last);
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
 * (`non-numeric counter`).
 */
export async function* readTstatRecords(
  file: string,
  options: TstatRecordOptions,
): AsyncGenerator<TrafficRecord> {
  const counters = options.counters ?? newSourceCounters();
  const tcp = options.protocol === 'tcp';
  const bytesName = tcp ? 'bytes_uniq' : 'bytes_all';
  const packetsName = tcp ? 'pkts_data' : 'pkts_all';
  for await (const { columns, rows } of readTstatLog(file, { ...options, counters })) {
    for (const row of rows) {
      const get = (name: string): string | undefined => tstatField(columns, row, name);
      const numbers = (name: string): number => {
        const text = get(name);
        return text === undefined || text.trim() === '' ? NaN : Number(text);
      };
      const counts = [
        numbers(`c_${bytesName}`),
        numbers(`c_${packetsName}`),
        numbers(`s_${bytesName}`),
        numbers(`s_${packetsName}`),
      ];
      const cPort = numbers('c_port');
      const sPort = numbers('s_port');
      let start: number;
      let end: number;
      if (tcp) {
        start = numbers('first') / 1000;
        end = numbers('last') / 1000;
      } else {
        start = numbers('c_first_abs') / 1000;
        end = start + numbers('c_durat') / 1000;
      }
      if (
        counts.some((value) => !Number.isSafeInteger(value) || value < 0) ||
        !Number.isFinite(start) ||
        !Number.isFinite(end) ||
        !Number.isInteger(cPort) ||
        !Number.isInteger(sPort)
      ) {
        countSkipped(counters, 'non-numeric counter');
        counters.decoded--;
        continue;
      }
      const [cBytes, cPackets, sBytes, sPackets] = counts as [number, number, number, number];
      const cIp = get('c_ip') ?? '';
      const sIp = get('s_ip') ?? '';
      const common = {
        start,
        end,
        proto: options.protocol,
        ...(options.sensor ? { sensor: options.sensor } : {}),
      };
      yield {
        ...common,
        src: cIp,
        sport: cPort,
        dst: sIp,
        dport: sPort,
        bytes: cBytes,
        packets: cPackets,
        extra: { direction: 'c2s' },
      };
      yield {
        ...common,
        src: sIp,
        sport: sPort,
        dst: cIp,
        dport: cPort,
        bytes: sBytes,
        packets: sPackets,
        extra: { direction: 's2c' },
      };
    }
  }
}
