/**
 * The status reader's fast path: one entry of the hash of IP addresses, written the plain way the daemon
 * and Data::Dumper write it:
 *
 *     '192.0.2.1' => { B => 76711, …, N => ['a.example.net',], …, W => 8620, }
 *
 * (bare or quoted one-letter keys, decimal integers bare or single-quoted, single-quoted names without
 * escapes, any blanks between tokens). It reads with local variables only, no method calls, no strings.
 * Anything else (an IPv6 key, escapes, comments, floats, undef, a missing or repeated key, any error)
 * makes it give up, and the reader parses that entry again on its general path, which owns every error
 * message. So this function never decides that input is bad; it only recognises input that is plainly good.
 */
import { parseIPv4Bytes } from '../../model/ip.js';
import type { SnifferTableBuilder } from './table.js';
import { BACKSLASH, COMMA, EQUALS, GREATER, LBRACE, LBRACKET, QUOTE, RBRACE, RBRACKET } from './perl-data.js';

/** The bit of each field by its letter's code (B C E N R S T W); -1 for every other byte. */
export const FIELD_BITS = Int8Array.from({ length: 256 }, (_, code) =>
  'BCENRSTW'.indexOf(String.fromCharCode(code)),
);
const N_BIT = 3;
const ALL_FIELDS = 255;
/** Names per entry the fast path keeps track of; an entry with more takes the general path. */
const MAX_NAMES = 32;

/** 1 for space, tab, LF and CR: one load instead of four comparisons per byte. */
const BLANK = Uint8Array.from({ length: 256 }, (_, byte) =>
  byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d ? 1 : 0,
);
const isBlank = (byte: number) => BLANK[byte] === 1;

/** Counter values of the entry being read, by field bit (N's slot unused). */
const values = new Float64Array(8);
/** Start and end of each name of the entry being read. */
const names = new Uint32Array(2 * MAX_NAMES);

/**
 * Reads the entry whose key starts at `start` (its opening quote) into a new row of `builder`. Returns the
 * offset just after the entry's closing brace, or -1 (and adds nothing) when the entry is not plain.
 */
export function readPlainEntry(buffer: Uint8Array, start: number, builder: SnifferTableBuilder): number {
  const length = buffer.length;
  if (buffer[start] !== QUOTE) return -1;
  let pos = start + 1;
  while (pos < length && buffer[pos] !== QUOTE) pos++;
  const address = parseIPv4Bytes(buffer, start + 1, pos);
  if (address === undefined) return -1;
  const ipEnd = pos++;
  while (pos < length && isBlank(buffer[pos]!)) pos++;
  if (buffer[pos] !== EQUALS || buffer[pos + 1] !== GREATER) return -1;
  pos += 2;
  while (pos < length && isBlank(buffer[pos]!)) pos++;
  if (buffer[pos++] !== LBRACE) return -1;

  let seen = 0;
  let nameCount = 0;
  for (;;) {
    while (pos < length && isBlank(buffer[pos]!)) pos++;
    if (buffer[pos] === RBRACE) break;
    // The key: B or 'B'.
    let letter = buffer[pos]!;
    if (letter === QUOTE) {
      letter = buffer[pos + 1]!;
      if (buffer[pos + 2] !== QUOTE) return -1;
      pos += 3;
    } else {
      pos += 1;
      if (!isBlank(buffer[pos]!) && buffer[pos] !== EQUALS) return -1;
    }
    const bit = FIELD_BITS[letter]!;
    if (bit < 0 || seen & (1 << bit)) return -1;
    seen |= 1 << bit;
    while (pos < length && isBlank(buffer[pos]!)) pos++;
    if (buffer[pos] !== EQUALS || buffer[pos + 1] !== GREATER) return -1;
    pos += 2;
    while (pos < length && isBlank(buffer[pos]!)) pos++;

    if (bit === N_BIT) {
      // ['name', …] with an optional trailing comma.
      if (buffer[pos++] !== LBRACKET) return -1;
      for (;;) {
        while (pos < length && isBlank(buffer[pos]!)) pos++;
        if (buffer[pos] === RBRACKET) break;
        if (buffer[pos] !== QUOTE || nameCount === MAX_NAMES) return -1;
        const nameStart = ++pos;
        while (pos < length && buffer[pos] !== QUOTE) {
          if (buffer[pos] === BACKSLASH) return -1; // an escape: the general path decodes it
          pos++;
        }
        if (pos === length) return -1;
        names[2 * nameCount] = nameStart;
        names[2 * nameCount + 1] = pos++;
        nameCount++;
        while (pos < length && isBlank(buffer[pos]!)) pos++;
        if (buffer[pos] === COMMA) pos++;
        else if (buffer[pos] !== RBRACKET) return -1;
      }
      pos++;
    } else {
      // A decimal integer of up to 15 digits (exact in a double), bare or quoted.
      const quoted = buffer[pos] === QUOTE;
      if (quoted) pos++;
      const digitsStart = pos;
      let value = 0;
      while (pos - digitsStart < 15 && buffer[pos]! >= 0x30 && buffer[pos]! <= 0x39) {
        value = value * 10 + (buffer[pos++]! - 0x30);
      }
      if (pos === digitsStart) return -1;
      if (quoted && buffer[pos++] !== QUOTE) return -1;
      values[bit] = value;
    }
    while (pos < length && isBlank(buffer[pos]!)) pos++;
    if (buffer[pos] === COMMA) pos++;
    else if (buffer[pos] !== RBRACE) return -1;
  }
  if (seen !== ALL_FIELDS) return -1;

  const row = builder.addRow(start + 1, ipEnd, address);
  builder.bytes[row] = values[0]!;
  builder.count[row] = values[1]!;
  builder.lastUpdate[row] = values[2]!;
  builder.ratePerHour[row] = values[4]!;
  builder.start[row] = values[5]!;
  builder.ptrExpiry[row] = values[6]!;
  builder.bytesPerHour[row] = values[7]!;
  for (let i = 0; i < nameCount; i++) builder.addName(names[2 * i]!, names[2 * i + 1]!);
  return pos + 1;
}
