/**
 * Reads Net::Connection::Sniffer status files: the daemon's `{ my $dump = { … }; }` and the composite
 * file's Data::Dumper `my $VAR1 = { … };` (or `$VAR1 = …;`), behind a header of `#` and blank lines that
 * is kept verbatim (Report.pm `read_stf`). The body is parsed, never evaluated.
 */
import { readFile } from 'node:fs/promises';
import { EmptyInputError, fromFsError } from '../../model/errors.js';
import { addressOrderKey } from '../../model/ip.js';
import { FIELD_BITS, readPlainEntry } from './plain-entry.js';
import {
  BACKSLASH,
  PerlDataReader,
  QUOTE,
  latin1,
  lineAndColumn,
  numericValue,
  type PerlValue,
} from './perl-data.js';
import type { SnifferStatus, SnifferStatusTable } from './status.js';
import type { SnifferTable } from './table.js';
import { SnifferTableBuilder, findDuplicateAddress } from './table.js';

const LF = 0x0a;

/** Length in bytes of the leading header: lines starting with `#` or holding only whitespace. */
export function headerLength(buffer: Buffer): number {
  let pos = 0;
  while (pos < buffer.length) {
    const lineEnd = buffer.indexOf(LF, pos);
    const next = lineEnd < 0 ? buffer.length : lineEnd + 1;
    if (buffer[pos] !== 0x23) {
      for (let i = pos; i < next; i++) {
        const byte = buffer[i]!;
        if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== LF && byte !== 0x0b && byte !== 0x0c)
          return pos;
      }
    }
    pos = next;
  }
  return pos;
}

/** Fields that hold counts or epochs: integers, so they must be exact in a double. */
const INTEGER_FIELDS = new Set(['B', 'C', 'E', 'S', 'T']);
const KNOWN_FIELDS = 'B, C, E, N, R, S, T, W';

function describeValue(value: PerlValue): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'a hash';
  return typeof value === 'string' ? `'${value}'` : String(value);
}

export interface ParseStatusOptions {
  /**
   * Try each entry on the fast path first (default true). false parses every entry with the general
   * parser only: the reference the fast path is tested against.
   */
  fastPath?: boolean;
  /**
   * B and C must be whole numbers (default false). The ledger's records count whole bytes and packets; the
   * reports, like the Perl original, take any number.
   */
  wholeCounts?: boolean;
}

/**
 * Parses a whole status file held in `buffer` into columns (see SnifferTable): the reports' path.
 * Throws ParseError (with line and column) on anything that is not a well-formed status file.
 */
export function parseStatusTable(
  buffer: Buffer,
  file: string,
  options: ParseStatusOptions = {},
): SnifferStatusTable {
  if (buffer.length === 0) throw new EmptyInputError(file);
  const bodyStart = headerLength(buffer);
  const header = latin1(buffer, 0, bodyStart);
  const reader = new PerlDataReader(buffer, file, bodyStart);
  reader.skipSpace();
  if (reader.atEnd) {
    throw reader.error("no data after the header: expected '{ my $dump = {' or 'my $VAR1 = {'");
  }

  // `{ my $dump = {…}; }` (daemon) or `[my] $VAR1 = {…};` (Data::Dumper, composite file).
  const blockForm = reader.accept(0x7b);
  const declared = reader.acceptWord('my');
  if (!reader.acceptWord(blockForm ? '$dump' : '$VAR1')) {
    throw reader.error(
      blockForm ? "expected 'my $dump = {'" : "expected '{ my $dump = {', 'my $VAR1 = {' or '$VAR1 = {'",
    );
  }
  if (blockForm && !declared) throw reader.error("expected 'my' before '$dump'");
  reader.expect(0x3d, "'='");

  const table = new EntriesReader(reader, options.fastPath ?? true, options.wholeCounts ?? false).read();

  reader.expect(0x3b, "';' after the hash");
  if (blockForm) reader.expect(0x7d, "'}' closing the block");
  reader.skipSpace();
  if (!reader.atEnd) throw reader.error('unexpected content after the data');
  return { header, table };
}

/** Parses a whole status file into entry objects: the library's and the small paths' form. */
export function parseStatus(buffer: Buffer, file: string): SnifferStatus {
  const { header, table } = parseStatusTable(buffer, file);
  return { header, entries: table.entries() };
}

const KEY_B = 0x42;
const KEY_C = 0x43;
const KEY_E = 0x45;
const KEY_N = 0x4e;
const KEY_R = 0x52;
const KEY_S = 0x53;
const KEY_T = 0x54;
const KEY_W = 0x57;
/** One bit per field (by letter, see FIELD_BITS), to find missing and repeated keys without a Map per entry. */
const FIELD_LETTERS = 'BCENRSTW';
const ALL_FIELDS = 255;
/** A status file entry takes at least this many bytes as the daemon writes it: sizes the columns once. */
const DAEMON_ENTRY_BYTES = 150;

/**
 * The hash of IP addresses, straight into table columns. Each entry is tried on the fast path first
 * (readPlainEntry: the plain layout every daemon and Data::Dumper write); an entry written any other way is
 * parsed here, by the general value parser, which also gives every error its message. This runs a
 * million times for big files.
 */
class EntriesReader {
  readonly #buffer: Buffer;
  readonly #builder: SnifferTableBuilder;
  /** File offset of each row's key, for the duplicate error (found after the rows are sorted). */
  #keyOffsets: Uint32Array;

  constructor(
    readonly reader: PerlDataReader,
    readonly fastPath: boolean,
    readonly wholeCounts: boolean,
  ) {
    this.#buffer = reader.buffer;
    const capacity = Math.ceil((this.#buffer.length - reader.pos) / DAEMON_ENTRY_BYTES);
    this.#builder = new SnifferTableBuilder(this.#buffer, capacity);
    this.#keyOffsets = new Uint32Array(Math.max(16, capacity));
  }

  read(): SnifferTable {
    const reader = this.reader;
    const builder = this.#builder;
    reader.skipSpace();
    reader.expect(0x7b, "'{' opening the hash of IP addresses");
    if (!reader.accept(0x7d)) {
      do {
        reader.skipSpace();
        const keyOffset = reader.pos;
        const row = builder.size;
        if (row === this.#keyOffsets.length) {
          const offsets = new Uint32Array(row * 2);
          offsets.set(this.#keyOffsets);
          this.#keyOffsets = offsets;
        }
        this.#keyOffsets[row] = keyOffset;
        const end = this.fastPath ? readPlainEntry(this.#buffer, keyOffset, builder) : -1;
        if (end >= 0) reader.pos = end;
        else this.#readEntry();
      } while (!reader.endOfElement(0x7d, 'the hash of IP addresses'));
    }
    const table = builder.finish();
    // By value, so that two spellings of one IPv6 address are caught too.
    const duplicate = findDuplicateAddress(table);
    if (duplicate !== undefined) {
      const first = lineAndColumn(this.#buffer, this.#keyOffsets[duplicate.first]!).line;
      throw reader.error(
        `duplicate IP address '${table.ip(duplicate.second)}' (first at line ${first})`,
        this.#keyOffsets[duplicate.second],
      );
    }
    return table;
  }

  /** The general path: one entry at the reader's position, whatever its spelling. */
  #readEntry(): void {
    const reader = this.reader;
    const buffer = this.#buffer;
    const keyOffset = reader.pos;
    let start: number;
    let end: number;
    let ip: string;
    const close = buffer[keyOffset] === QUOTE ? plainQuotedEnd(buffer, keyOffset) : -1;
    if (close >= 0) {
      [start, end] = [keyOffset + 1, close];
      ip = latin1(buffer, start, end);
      reader.pos = close + 1;
    } else {
      ip = reader.parseKey();
      [start, end] = this.#builder.addText(ip);
    }
    const address = addressOrderKey(ip);
    if (address === undefined) throw reader.error(`hash key '${ip}' is not an IP address`, keyOffset);
    const row = this.#builder.addRow(start, end, address);
    reader.expectFatComma();
    this.#readFields(row, ip);
  }

  /** The inner hash `{ B => …, …, W => … }` of `row`. */
  #readFields(row: number, ip: string): void {
    const reader = this.reader;
    const builder = this.#builder;
    reader.skipSpace();
    const offset = reader.pos;
    if (reader.peek() !== 0x7b) {
      const value = reader.parseValue();
      throw reader.error(
        `entry '${ip}' must be a hash {B, C, E, N, R, S, T, W}, found ${describeValue(value)}`,
        offset,
      );
    }
    reader.pos++;
    let seen = 0;
    if (!reader.accept(0x7d)) {
      do {
        reader.skipSpace();
        const keyOffset = reader.pos;
        const letter = reader.parseLetterKey();
        const bit = letter < 0 ? -1 : FIELD_BITS[letter]!;
        if (bit < 0) {
          const key = letter < 0 ? reader.parseKey() : String.fromCharCode(letter);
          throw reader.error(`unknown key '${key}' in entry '${ip}' (expected ${KNOWN_FIELDS})`, keyOffset);
        }
        if (seen & (1 << bit)) {
          throw reader.error(`duplicate key '${FIELD_LETTERS[bit]}' in entry '${ip}'`, keyOffset);
        }
        seen |= 1 << bit;
        reader.expectFatComma();
        reader.skipSpace();
        const valueOffset = reader.pos;
        const value = reader.parseValue();
        if (letter === KEY_N) {
          for (const name of namesField(reader, ip, value, valueOffset)) {
            const [nameStart, nameEnd] = builder.addText(name);
            builder.addName(nameStart, nameEnd);
          }
          continue;
        }
        const number = numberField(reader, ip, FIELD_LETTERS[bit]!, value, valueOffset);
        if (this.wholeCounts && (letter === KEY_B || letter === KEY_C) && !Number.isInteger(number)) {
          throw reader.error(
            `${FIELD_LETTERS[bit]} of '${ip}' must be a whole number of ${letter === KEY_B ? 'bytes' : 'packets'}, found ${number}`,
            valueOffset,
          );
        }
        if (letter === KEY_B) builder.bytes[row] = number;
        else if (letter === KEY_C) builder.count[row] = number;
        else if (letter === KEY_E) builder.lastUpdate[row] = number;
        else if (letter === KEY_R) builder.ratePerHour[row] = number;
        else if (letter === KEY_S) builder.start[row] = number;
        else if (letter === KEY_T) builder.ptrExpiry[row] = number;
        else if (letter === KEY_W) builder.bytesPerHour[row] = number;
      } while (!reader.endOfElement(0x7d, 'the hash of an IP address'));
    }
    if (seen !== ALL_FIELDS) {
      const missing = [...FIELD_LETTERS].find((_, bit) => (seen & (1 << bit)) === 0);
      throw reader.error(`entry '${ip}' lacks key '${missing}'`, offset);
    }
  }
}

/** The offset of the quote closing a single-quoted string at `open` that has no escapes; -1 otherwise. */
function plainQuotedEnd(buffer: Buffer, open: number): number {
  const close = buffer.indexOf(QUOTE, open + 1);
  if (close < 0) return -1;
  for (let i = open + 1; i < close; i++) if (buffer[i] === BACKSLASH) return -1;
  return close;
}

function namesField(reader: PerlDataReader, ip: string, value: PerlValue, offset: number): string[] {
  if (value === null) return [];
  if (!Array.isArray(value))
    throw reader.error(`N of '${ip}' must be an array of host names, found ${describeValue(value)}`, offset);
  return value.map((name) => {
    if (typeof name === 'string') return name;
    if (typeof name === 'number') return String(name);
    throw reader.error(`N of '${ip}' must hold host names, found ${describeValue(name)}`, offset);
  });
}

function numberField(
  reader: PerlDataReader,
  ip: string,
  key: string,
  value: PerlValue,
  offset: number,
): number {
  // undef reads as 0 in Perl's numeric context, which is what the original report does with it.
  let number: number | undefined;
  if (typeof value === 'number') number = value;
  else if (value === null) number = 0;
  else if (typeof value === 'string') number = numericValue(value);
  if (number === undefined) {
    throw reader.error(`${key} of '${ip}' must be a number, found ${describeValue(value)}`, offset);
  }
  if (!Number.isFinite(number)) throw reader.error(`${key} of '${ip}' is too large`, offset);
  if (number < 0) throw reader.error(`${key} of '${ip}' must not be negative, found ${number}`, offset);
  if (number > Number.MAX_SAFE_INTEGER && INTEGER_FIELDS.has(key)) {
    throw reader.error(`${key} of '${ip}' is too large to count exactly (above 2^53)`, offset);
  }
  return number;
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fromFsError(error, path);
  }
}

/** Reads and parses a status file from disk into entries. */
export async function readStatusFile(path: string): Promise<SnifferStatus> {
  return parseStatus(await readBytes(path), path);
}

/** Reads and parses a status file from disk into columns (for reports, and the ledger with `wholeCounts`). */
export async function readStatusTable(
  path: string,
  options: ParseStatusOptions = {},
): Promise<SnifferStatusTable> {
  return parseStatusTable(await readBytes(path), path, options);
}
