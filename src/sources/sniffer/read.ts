/**
 * Reads Net::Connection::Sniffer status files: the daemon's `{ my $dump = { … }; }` and the composite
 * file's Data::Dumper `my $VAR1 = { … };` (or `$VAR1 = …;`), behind a header of `#` and blank lines that
 * is kept verbatim (Report.pm `read_stf`). The body is parsed, never evaluated.
 */
import { readFile } from 'node:fs/promises';
import { EmptyInputError, fromFsError } from '../../model/errors.js';
import { parseIp } from '../../model/ip.js';
import { PerlDataReader, numericValue, type PerlValue } from './perl-data.js';
import type { SnifferEntry, SnifferStatus } from './status.js';

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

const NUMERIC_FIELDS = [
  ['B', 'bytes'],
  ['C', 'count'],
  ['E', 'lastUpdate'],
  ['R', 'ratePerHour'],
  ['S', 'start'],
  ['T', 'ptrExpiry'],
  ['W', 'bytesPerHour'],
] as const;

/** Fields that hold counts or epochs: integers, so they must be exact in a double. */
const INTEGER_FIELDS = new Set(['B', 'C', 'E', 'S', 'T']);
const KNOWN_FIELDS = 'B, C, E, N, R, S, T, W';

function describeValue(value: PerlValue): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Map) return 'a hash';
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/**
 * Parses a whole status file held in `buffer`. Returns the header and the entries in file order.
 * Throws ParseError (with line and column) on anything that is not a well-formed status file.
 */
export function parseStatus(buffer: Buffer, file: string): SnifferStatus {
  if (buffer.length === 0) throw new EmptyInputError(file);
  const bodyStart = headerLength(buffer);
  const header = buffer.toString('latin1', 0, bodyStart);
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

  const entries = parseEntries(reader);

  reader.expect(0x3b, "';' after the hash");
  if (blockForm) reader.expect(0x7d, "'}' closing the block");
  reader.skipSpace();
  if (!reader.atEnd) throw reader.error('unexpected content after the data');
  return { header, entries };
}

function parseEntries(reader: PerlDataReader): SnifferEntry[] {
  const entries: SnifferEntry[] = [];
  const seen = new Set<string>();
  reader.skipSpace();
  const open = reader.pos;
  reader.expect(0x7b, "'{' opening the hash of IP addresses");
  if (reader.accept(0x7d)) return entries;
  do {
    reader.skipSpace();
    const keyOffset = reader.pos;
    const ip = reader.parseKey();
    if (parseIp(ip) === undefined) throw reader.error(`hash key '${ip}' is not an IP address`, keyOffset);
    if (seen.has(ip))
      throw reader.error(
        `duplicate IP address '${ip}' (first seen earlier in the hash at offset ${open})`,
        keyOffset,
      );
    seen.add(ip);
    reader.expectFatComma();
    reader.skipSpace();
    const valueOffset = reader.pos;
    const value = reader.parseValue();
    if (!(value instanceof Map)) {
      throw reader.error(
        `entry '${ip}' must be a hash {B, C, E, N, R, S, T, W}, found ${describeValue(value)}`,
        valueOffset,
      );
    }
    entries.push(toEntry(reader, ip, value, valueOffset));
  } while (!reader.endOfElement(0x7d, 'the hash of IP addresses'));
  return entries;
}

function toEntry(
  reader: PerlDataReader,
  ip: string,
  fields: Map<string, PerlValue>,
  offset: number,
): SnifferEntry {
  for (const key of fields.keys()) {
    if (key.length !== 1 || !KNOWN_FIELDS.includes(key)) {
      throw reader.error(`unknown key '${key}' in entry '${ip}' (expected ${KNOWN_FIELDS})`, offset);
    }
  }
  const entry: SnifferEntry = {
    ip,
    bytes: 0,
    count: 0,
    lastUpdate: 0,
    names: [],
    ratePerHour: 0,
    start: 0,
    ptrExpiry: 0,
    bytesPerHour: 0,
  };
  for (const [key, property] of NUMERIC_FIELDS) {
    if (!fields.has(key)) throw reader.error(`entry '${ip}' lacks key '${key}'`, offset);
    entry[property] = numberField(reader, ip, key, fields.get(key)!, offset);
  }
  if (!fields.has('N')) throw reader.error(`entry '${ip}' lacks key 'N'`, offset);
  const names = fields.get('N')!;
  if (names === null) entry.names = [];
  else if (Array.isArray(names)) {
    entry.names = names.map((name) => {
      if (typeof name === 'string') return name;
      if (typeof name === 'number') return String(name);
      throw reader.error(`N of '${ip}' must hold host names, found ${describeValue(name)}`, offset);
    });
  } else
    throw reader.error(`N of '${ip}' must be an array of host names, found ${describeValue(names)}`, offset);
  return entry;
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
  if (value === null) number = 0;
  else if (typeof value === 'number') number = value;
  else if (typeof value === 'string') number = numericValue(value);
  if (number === undefined) {
    throw reader.error(`${key} of '${ip}' must be a number, found ${describeValue(value)}`, offset);
  }
  if (!Number.isFinite(number)) throw reader.error(`${key} of '${ip}' is too large`, offset);
  if (number < 0) throw reader.error(`${key} of '${ip}' must not be negative, found ${number}`, offset);
  if (INTEGER_FIELDS.has(key) && number > Number.MAX_SAFE_INTEGER) {
    throw reader.error(`${key} of '${ip}' is too large to count exactly (above 2^53)`, offset);
  }
  return number;
}

/** Reads and parses a status file from disk. */
export async function readStatusFile(path: string): Promise<SnifferStatus> {
  let buffer: Buffer;
  try {
    buffer = await readFile(path);
  } catch (error) {
    throw fromFsError(error, path);
  }
  return parseStatus(buffer, path);
}
