/**
 * The Python value semantics of python-json.ts, straight on the bytes of a field and into an output
 * buffer, for the shapes tstat writes (plain digits, `%f` decimals, addresses): no string is made for
 * them. Every other shape is decoded and handed to the text functions of python-json.ts, so the two
 * paths cannot disagree on anything but speed.
 *
 * Writers take the output buffer and a position and return the position after what they wrote; the
 * caller has reserved the room (see `JsonSliceWriter.reserve`).
 */
import type { PyInt } from './python-json.js';
import { pyFloatRepr, pyIntRepr, pyJsonString, pyParseFloat, pyParseInt, pyRound } from './python-json.js';

const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;
const MINUS = 0x2d;
const QUOTE = 0x22;

/**
 * What a byte can be part of, for `int()`/`float()` and `json.dumps`: DIGIT and DOT; NUMERIC for the other
 * characters a number can hold (sign, underscore, exponent, the letters of inf/infinity/nan, the
 * whitespace int() strips); TEXT for printable ASCII no number holds; ESCAPED for what json.dumps
 * escapes (quote, backslash, controls, DEL, every non-ASCII byte).
 */
const DIGIT = 1;
const DOT_CLASS = 2;
const NUMERIC = 4;
const TEXT = 8;
const ESCAPED = 16;

const BYTE_CLASS = new Uint8Array(256).fill(ESCAPED);
for (let byte = 0x20; byte < 0x7f; byte++) BYTE_CLASS[byte] = TEXT;
for (let byte = ZERO; byte <= NINE; byte++) BYTE_CLASS[byte] = DIGIT;
BYTE_CLASS[DOT] = DOT_CLASS;
for (const char of '+-_ eEiInNfFtTyYaA') BYTE_CLASS[char.charCodeAt(0)] = NUMERIC;
BYTE_CLASS[QUOTE] = ESCAPED;
BYTE_CLASS[0x5c] = ESCAPED; // backslash

const POWERS_OF_TEN = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
/** Decimals with at most this many digits are exact in a double and print back as themselves. */
const EXACT_DIGITS = 15;

/** A Python value cast from a field (the original's `_cast_to_numeric`), held without allocating. */
export const NONE = 0;
export const INT = 1;
export const FLOAT = 2;
export const STR = 3;

export class PyCell {
  kind: typeof NONE | typeof INT | typeof FLOAT | typeof STR = NONE;
  /** INT (when `big` is undefined) and FLOAT. */
  num = 0;
  /** INT beyond 2^53. */
  big: bigint | undefined = undefined;
  /** STR. */
  text = '';

  setInt(value: PyInt): void {
    this.kind = INT;
    if (typeof value === 'bigint') {
      this.big = value;
      this.num = Number(value);
    } else {
      this.big = undefined;
      this.num = value;
    }
  }

  setFloat(value: number): void {
    this.kind = FLOAT;
    this.num = value;
    this.big = undefined;
  }

  /** The int value (exact): a number or a bigint. */
  get int(): PyInt {
    return this.big ?? this.num;
  }
}

/** Value of the digits bytes[start, end) (at most 15 of them: exact). */
function digitsValue(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) value = value * 10 + ((bytes[i] as number) - ZERO);
  return value;
}

/**
 * The shape of bytes[start, end): 1 = 1 to 15 digits; 2 = a plain decimal `-?D+.D+` of at most 15 digits;
 * 3 = text no Python number parser accepts and json.dumps does not escape; 0 = anything else.
 */
const SHAPE_DIGITS = 1;
const SHAPE_DECIMAL = 2;
const SHAPE_TEXT = 3;
const SHAPE_OTHER = 0;

function shapeOf(bytes: Uint8Array, start: number, end: number): number {
  let classes = 0;
  let dots = 0;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const byteClass = BYTE_CLASS[bytes[i] as number] as number;
    classes |= byteClass;
    if (byteClass === DOT_CLASS) dots++;
    else if (byteClass === DIGIT) digits++;
  }
  if (classes === DIGIT) return digits <= EXACT_DIGITS ? SHAPE_DIGITS : SHAPE_OTHER;
  if (classes & ESCAPED) return SHAPE_OTHER;
  if (classes & TEXT) return SHAPE_TEXT;
  if (dots === 1 && digits <= EXACT_DIGITS && isPlainDecimal(bytes, start, end)) return SHAPE_DECIMAL;
  // Digits and two or more dots (an IPv4 address), or no digit and no letter ("-", "---", "."): not a
  // number in any Python syntax.
  if (classes === (DIGIT | DOT_CLASS) && dots >= 2) return SHAPE_TEXT;
  if (digits === 0 && !hasLetter(bytes, start, end)) return SHAPE_TEXT;
  return SHAPE_OTHER;
}

/** `-?D+.D+` */
function isPlainDecimal(bytes: Uint8Array, start: number, end: number): boolean {
  let i = bytes[start] === MINUS ? start + 1 : start;
  const wholeStart = i;
  while (i < end && BYTE_CLASS[bytes[i] as number] === DIGIT) i++;
  if (i === wholeStart || i >= end - 1 || bytes[i] !== DOT) return false;
  for (i++; i < end; i++) if (BYTE_CLASS[bytes[i] as number] !== DIGIT) return false;
  return true;
}

function hasLetter(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const lower = (bytes[i] as number) | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) return true;
  }
  return false;
}

/** The decimal bytes[start, end) of shape SHAPE_DECIMAL as a double (correctly rounded: 15 digits at most). */
function decimalValue(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === MINUS;
  const first = negative ? start + 1 : start;
  const dot = bytes.indexOf(DOT, first);
  const mantissa =
    digitsValue(bytes, first, dot) * (POWERS_OF_TEN[end - dot - 1] as number) +
    digitsValue(bytes, dot + 1, end);
  // Both operands are exact, so the quotient is the double nearest the decimal, as float() reads it.
  const value = mantissa / (POWERS_OF_TEN[end - dot - 1] as number);
  return negative ? -value : value;
}

/**
 * Writes `repr(k / 10^digits)` (the value Python's round gave): fixed notation with the trailing zeros
 * dropped, because a decimal of at most 15 significant digits is its own shortest round-trip repr.
 * `negative` gives the sign of a zero (`-0.0`). Needs |k| < 10^15.
 */
function writeScaled(out: Uint8Array, pos: number, k: number, digits: number, negative: boolean): number {
  if (k < 0) {
    out[pos++] = MINUS;
    k = -k;
  } else if (k === 0 && negative) out[pos++] = MINUS;
  const power = POWERS_OF_TEN[digits] as number;
  const whole = k < 0x7fffffff ? (k / power) | 0 : Math.floor(k / power);
  // At most `digits` (≤ 3) digits: small int arithmetic.
  let fraction = (k - whole * power) | 0;
  pos = writeUint(out, pos, whole);
  out[pos++] = DOT;
  if (fraction === 0) {
    out[pos++] = ZERO;
    return pos;
  }
  let shown = digits;
  while (fraction % 10 === 0) {
    fraction = (fraction / 10) | 0;
    shown--;
  }
  for (let i = shown - 1; i >= 0; i--) {
    out[pos + i] = ZERO + (fraction % 10);
    fraction = (fraction / 10) | 0;
  }
  return pos + shown;
}

/** Decimal digits of a non-negative integer below 10^9. */
function digitCount(value: number): number {
  if (value < 10000) return value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : 4;
  if (value < 10000000) return value < 100000 ? 5 : value < 1000000 ? 6 : 7;
  return value < 100000000 ? 8 : 9;
}

/** Writes the digits of a non-negative integer below 2^53. */
export function writeUint(out: Uint8Array, pos: number, value: number): number {
  let length: number;
  if (value >= 1e9) {
    const high = Math.floor(value / 1e9);
    pos = writeUint(out, pos, high);
    value -= high * 1e9;
    length = 9;
  } else length = digitCount(value);
  let small = value | 0;
  for (let i = length - 1; i >= 0; i--) {
    out[pos + i] = ZERO + (small % 10);
    small = (small / 10) | 0;
  }
  return pos + length;
}

/** Writes an ASCII string (every JSON text here is ASCII: json.dumps escapes the rest). */
export function writeAscii(out: Uint8Array, pos: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[pos + i] = text.charCodeAt(i);
  return pos + text.length;
}

/** Copies bytes[start, end) to out at pos. */
export function writeBytes(
  out: Uint8Array,
  pos: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  if (end - start > 64) {
    out.set(bytes.subarray(start, end), pos);
    return pos + end - start;
  }
  for (let i = start; i < end; i++) out[pos++] = bytes[i] as number;
  return pos;
}

/** Writes a Python int: `str(int)`. */
export function writeInt(out: Uint8Array, pos: number, value: PyInt): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) {
    if (value < 0) {
      out[pos++] = MINUS;
      return writeUint(out, pos, -value);
    }
    return writeUint(out, pos, value);
  }
  return writeAscii(out, pos, pyIntRepr(value));
}

/**
 * Writes `repr(x)` of a value Python's `round(·, digits)` gave: the double nearest some k / 10^digits,
 * printed from k without making a string.
 */
export function writeRoundedValue(out: Uint8Array, pos: number, x: number, digits: number): number {
  const power = POWERS_OF_TEN[digits] as number;
  const k = Math.round(x * power);
  if (k < 1e15 && k > -1e15 && k / power === x)
    return writeScaled(out, pos, k, digits, x < 0 || Object.is(x, -0));
  return writeFloat(out, pos, x);
}

/** Writes `repr(x)` of a float. */
export function writeFloat(out: Uint8Array, pos: number, x: number): number {
  return writeAscii(out, pos, pyFloatRepr(x));
}

/** `int(text)`, else `round(float(text), 3)`, else the text: the original's `_cast_to_numeric`. */
export function castText(text: string, cell: PyCell): void {
  const integer = pyParseInt(text);
  if (integer !== undefined) return cell.setInt(integer);
  const float = pyParseFloat(text);
  if (float !== undefined) return cell.setFloat(pyRound(float, 3));
  cell.kind = STR;
  cell.text = text;
}

/** Casts the field bytes[start, end) (undefined start: a missing column, None) into `cell`. */
export function castField(bytes: Uint8Array, start: number, end: number, cell: PyCell): void {
  if (start < 0) {
    cell.kind = NONE;
    return;
  }
  const shape = shapeOf(bytes, start, end);
  if (shape === SHAPE_DIGITS) return cell.setInt(digitsValue(bytes, start, end));
  if (shape === SHAPE_DECIMAL) return cell.setFloat(pyRound(decimalValue(bytes, start, end), 3));
  castText(decode(bytes, start, end), cell);
}

/** Writes a cast value as json.dumps does. */
export function writeCell(out: Uint8Array, pos: number, cell: PyCell): number {
  switch (cell.kind) {
    case NONE:
      return writeAscii(out, pos, 'null');
    case INT:
      return writeInt(out, pos, cell.int);
    case FLOAT:
      return writeFloat(out, pos, cell.num);
    default:
      return writeAscii(out, pos, pyJsonString(cell.text));
  }
}

/**
 * Writes the JSON of the field bytes[start, end) cast as the original casts it (a negative start: the
 * column is missing, `null`). Digits are copied as they are read; a `%f` decimal is rounded to 3 places
 * on its digits; plain text is quoted as it is; anything else goes through the text functions.
 */
export function writeCastField(
  out: Uint8Array,
  pos: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  if (start < 0) return writeAscii(out, pos, 'null');
  const first = bytes[start] as number;
  if (end - start <= EXACT_DIGITS && first > ZERO && first <= NINE) {
    // Copy while the bytes are digits (no leading zero: str(int()) would drop it).
    let i = start;
    let p = pos;
    for (; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte < ZERO || byte > NINE) break;
      out[p++] = byte;
    }
    if (i === end) return p;
    if (bytes[i] === DOT) {
      const written = writeDecimalFraction(out, p, bytes, i + 1, end);
      if (written >= 0) return written;
      // Digits with two dots or more (an IPv4 address): no number in any Python syntax, so a string.
      if (isDottedDigits(bytes, i + 1, end)) return writeQuoted(out, pos, bytes, start, end);
    }
  } else if (
    first === ZERO &&
    end - start > 2 &&
    end - start <= EXACT_DIGITS + 1 &&
    bytes[start + 1] === DOT
  ) {
    out[pos] = ZERO;
    const written = writeDecimalFraction(out, pos + 1, bytes, start + 2, end);
    if (written >= 0) return written;
  }
  return writeCastFieldByShape(out, pos, bytes, start, end);
}

/**
 * `writeCastField` for a column that holds addresses: an IPv4 address (digits and dots, two dots or
 * more: no number in any Python syntax, so a string) is copied between quotes in one pass, where
 * `writeCastField` would read it as a number first; any other field goes to `writeCastField`.
 */
export function writeAddressField(
  out: Uint8Array,
  pos: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  if (start >= 0) {
    let dots = 0;
    let p = pos + 1;
    let i = start;
    for (; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte === DOT) dots++;
      else if (byte < ZERO || byte > NINE) break;
      out[p++] = byte;
    }
    if (i === end && dots >= 2) {
      out[pos] = QUOTE;
      out[p] = QUOTE;
      return p + 1;
    }
  }
  return writeCastField(out, pos, bytes, start, end);
}

/**
 * The rest of `round(float("W.F"), 3)` after W (digits, at most 15 in all, already written): the dot and
 * the fraction F = bytes[start, end), rounded to 3 places on its digits. Returns -1 when the digits do
 * not decide: F not all digits, an exact decimal tie (Python rounds the binary value), or a carry into W.
 * The digits decide otherwise: a decimal of at most 15 digits is within |x|·2^-53 of its double, much
 * closer than its distance to any 4-place tie; and the 3-place result prints as itself.
 */
function writeDecimalFraction(
  out: Uint8Array,
  pos: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  if (start >= end) return -1;
  let kept = 0;
  const keptEnd = Math.min(end, start + 3);
  for (let i = start; i < keptEnd; i++) {
    const byte = bytes[i] as number;
    if (byte < ZERO || byte > NINE) return -1;
    kept = kept * 10 + (byte - ZERO);
  }
  for (let i = keptEnd; i < start + 3; i++) kept *= 10;
  if (end > start + 3) {
    const next = bytes[start + 3] as number;
    let sticky = false;
    for (let i = start + 4; i < end; i++) {
      const byte = bytes[i] as number;
      if (byte < ZERO || byte > NINE) return -1;
      if (byte !== ZERO) sticky = true;
    }
    if (next < ZERO || next > NINE) return -1;
    if (next > ZERO + 5 || (next === ZERO + 5 && sticky)) {
      if (++kept === 1000) return -1;
    } else if (next === ZERO + 5) return -1;
  }
  out[pos++] = DOT;
  if (kept === 0) {
    out[pos] = ZERO;
    return pos + 1;
  }
  // kept has three digits (with leading zeros): drop the trailing zeros.
  if (kept % 100 === 0) {
    out[pos] = ZERO + kept / 100;
    return pos + 1;
  }
  if (kept % 10 === 0) {
    out[pos] = ZERO + ((kept / 100) | 0);
    out[pos + 1] = ZERO + ((kept / 10) % 10);
    return pos + 2;
  }
  out[pos] = ZERO + ((kept / 100) | 0);
  out[pos + 1] = ZERO + (((kept / 10) | 0) % 10);
  out[pos + 2] = ZERO + (kept % 10);
  return pos + 3;
}

/** Digits and at least one dot in bytes[start, end), nothing else. */
function isDottedDigits(bytes: Uint8Array, start: number, end: number): boolean {
  let dots = 0;
  for (let i = start; i < end; i++) {
    const byteClass = BYTE_CLASS[bytes[i] as number];
    if (byteClass === DOT_CLASS) dots++;
    else if (byteClass !== DIGIT) return false;
  }
  return dots > 0;
}

/** A JSON string of bytes that need no escaping. */
function writeQuoted(out: Uint8Array, pos: number, bytes: Uint8Array, start: number, end: number): number {
  out[pos++] = QUOTE;
  pos = writeBytes(out, pos, bytes, start, end);
  out[pos++] = QUOTE;
  return pos;
}

/** writeCastField for every shape: from the field's shape, or through the text functions. */
function writeCastFieldByShape(
  out: Uint8Array,
  pos: number,
  bytes: Uint8Array,
  start: number,
  end: number,
): number {
  const shape = shapeOf(bytes, start, end);
  if (shape === SHAPE_DIGITS) {
    while (start < end - 1 && bytes[start] === ZERO) start++;
    return writeBytes(out, pos, bytes, start, end);
  }
  if (shape === SHAPE_TEXT) return writeQuoted(out, pos, bytes, start, end);
  if (shape === SHAPE_DECIMAL)
    return writeRoundedValue(out, pos, pyRound(decimalValue(bytes, start, end), 3), 3);
  const cell = SCRATCH_CELL;
  castText(decode(bytes, start, end), cell);
  return writeCell(out, pos, cell);
}

const SCRATCH_CELL = new PyCell();

/** A field as text: UTF-8, invalid bytes replaced (U+FFFD), as netledger reads tstat logs. */
export function decode(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, end);
}

/**
 * `int(float_or_int / 1000)` of the field, for the start and end times (tstat writes milliseconds with
 * six decimals: 19 digits, beyond the exact fast path). Returns NaN when the exact path is needed: the
 * approximate quotient is then too close to an integer for the `round(x, 3)` of the cast not to matter.
 */
export function truncatedThousandths(bytes: Uint8Array, start: number, end: number): number {
  if (start < 0 || end - start > 40) return NaN;
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  const wholeStart = i;
  while (i < end && BYTE_CLASS[bytes[i] as number] === DIGIT) i++;
  const wholeDigits = i - wholeStart;
  if (wholeDigits === 0 || wholeDigits > 13) return NaN;
  let value = digitsValue(bytes, wholeStart, i);
  if (i < end) {
    if (bytes[i] !== DOT || i === end - 1) return NaN;
    const fractionStart = ++i;
    while (i < end && BYTE_CLASS[bytes[i] as number] === DIGIT) i++;
    if (i !== end) return NaN;
    const used = Math.min(end - fractionStart, EXACT_DIGITS);
    value += digitsValue(bytes, fractionStart, fractionStart + used) / (POWERS_OF_TEN[used] as number);
  }
  // |value| < 1e13: the sum, the cast's rounding to 3 places and the division move the quotient by less
  // than 4e-6 in all; farther than 1e-5 from an integer, they cannot change its truncation.
  const quotient = value / 1000;
  const distance = quotient - Math.floor(quotient);
  if (distance < 1e-5 || distance > 1 - 1e-5) return NaN;
  const truncated = Math.floor(quotient);
  return negative ? -truncated : truncated;
}
