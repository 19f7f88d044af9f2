/**
 * The fast path of NDJSON ingest: one record line read straight from its bytes, for the plain shape the
 * sinks write (record-json.ts's schema, ASCII strings without escapes, numbers, `null`, a flat `extra`).
 *
 * It accepts only what `JSON.parse` + {@link recordFromJson} would accept and turn into the same record;
 * for anything else (an escape, a non-ASCII byte, an unknown or repeated key, a value of the wrong type, a
 * record `recordFromJson` refuses, text that is not JSON) it answers `undefined` and the caller parses the
 * line the slow way, which also words the error. So the fast path decides speed, never outcomes.
 */
import type { Counter, TrafficRecord } from '../model/record.js';
import { FNV_OFFSET, FNV_PRIME, TextTable } from '../sources/text-table.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const LOWER_N = 0x6e;

/** 10^k for k ≤ 22: exactly representable, so an integer below 2^53 divided by one is correctly rounded. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
const UINT64_MAX = (1n << 64n) - 1n;

// The record's keys, one bit each (a repeated key is left to JSON.parse, whose last value wins).
const START = 1 << 0;
const END = 1 << 1;
const PACKETS = 1 << 2;
const BYTES = 1 << 3;
const SRC = 1 << 4;
const DST = 1 << 5;
const PROTO = 1 << 6;
const SRC_MAC = 1 << 7;
const DST_MAC = 1 << 8;
const NAME = 1 << 9;
const SENSOR = 1 << 10;
const SPORT = 1 << 11;
const DPORT = 1 << 12;
const VLAN = 1 << 13;
const EXTRA = 1 << 14;
const SCHEMA = 1 << 15;
const REQUIRED = START | END | PACKETS | BYTES;

const KEYS: ReadonlyArray<readonly [string, number]> = [
  ['start', START],
  ['end', END],
  ['packets', PACKETS],
  ['bytes', BYTES],
  ['src', SRC],
  ['dst', DST],
  ['proto', PROTO],
  ['srcMac', SRC_MAC],
  ['dstMac', DST_MAC],
  ['name', NAME],
  ['sensor', SENSOR],
  ['sport', SPORT],
  ['dport', DPORT],
  ['vlan', VLAN],
  ['extra', EXTRA],
  ['schema', SCHEMA],
];

interface Key {
  name: Uint8Array;
  bit: number;
}

/** The keys by length, as bytes. */
const KEYS_BY_LENGTH: Key[][] = [];
for (const [name, bit] of KEYS) (KEYS_BY_LENGTH[name.length] ??= []).push({ name: Buffer.from(name), bit });

/** Bytes a plain string may hold: printable ASCII but the quote and the backslash. */
const PLAIN_STRING_BYTE = new Uint8Array(256);
for (let byte = 0x20; byte <= 0x7e; byte++)
  PLAIN_STRING_BYTE[byte] = byte === QUOTE || byte === BACKSLASH ? 0 : 1;

/**
 * Reads plain record lines. Keeps a table of the texts it made, so that a repeated address is one
 * string (made once, its hash computed once for the ledger's dictionary lookups).
 */
export class PlainRecordReader {
  private bytes: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  /** The last string value read, or null for a JSON `null`. */
  private text: string | null = null;
  private readonly texts = new TextTable();
  /** The keys of the last line, in its order (see key). */
  private readonly keyOrder: Key[] = [];
  // The values of the line being read; `present` has the bit of each optional one given (not null).
  private present = 0;
  private startTime = 0;
  private endTime = 0;
  private packets: Counter = 0;
  private byteCount: Counter = 0;
  private src = '';
  private dst = '';
  private proto = '';
  private srcMac = '';
  private dstMac = '';
  private name = '';
  private sensor = '';
  private sport = 0;
  private dport = 0;
  private vlan = 0;
  private extraValue: Record<string, number | string> = {};

  /** The record of bytes[start, end) (one line, without its newline), or undefined: parse it the slow way. */
  read(bytes: Buffer, start: number, end: number): TrafficRecord | undefined {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.skipSpace();
    if (this.pos >= end || bytes[this.pos] !== OPEN_BRACE) return undefined;
    this.pos++;
    this.skipSpace();
    let seen = 0;
    this.present = 0;
    for (let index = 0; ; index++) {
      const key = this.key(index);
      if (key === 0 || (seen & key) !== 0) return undefined;
      seen |= key;
      this.skipSpace();
      if (this.pos >= end || bytes[this.pos] !== COLON) return undefined;
      this.pos++;
      this.skipSpace();
      if (!this.value(key)) return undefined;
      this.skipSpace();
      if (this.pos >= end) return undefined;
      const next = bytes[this.pos++];
      if (next === CLOSE_BRACE) break;
      if (next !== COMMA) return undefined;
      this.skipSpace();
    }
    this.skipSpace();
    if (this.pos !== end || (seen & REQUIRED) !== REQUIRED || !(this.endTime >= this.startTime))
      return undefined;
    return this.record();
  }

  /**
   * The record of the values read, built in one order whatever the order of the keys (recordFromJson's),
   * so that records share one shape and the ledger's reads of their fields stay fast.
   */
  private record(): TrafficRecord {
    const present = this.present;
    const record: TrafficRecord = {
      start: this.startTime,
      end: this.endTime,
      packets: this.packets,
      bytes: this.byteCount,
    };
    if ((present & SRC) !== 0) record.src = this.src;
    if ((present & DST) !== 0) record.dst = this.dst;
    if ((present & PROTO) !== 0) record.proto = this.proto;
    if ((present & SRC_MAC) !== 0) record.srcMac = this.srcMac;
    if ((present & DST_MAC) !== 0) record.dstMac = this.dstMac;
    if ((present & NAME) !== 0) record.name = this.name;
    if ((present & SENSOR) !== 0) record.sensor = this.sensor;
    if ((present & SPORT) !== 0) record.sport = this.sport;
    if ((present & DPORT) !== 0) record.dport = this.dport;
    if ((present & VLAN) !== 0) record.vlan = this.vlan;
    if ((present & EXTRA) !== 0) record.extra = this.extraValue;
    return record;
  }

  /** A value for `key` into its field (`present` marks it unless null); false when it is not plain. */
  private value(key: number): boolean {
    switch (key) {
      case START:
      case END: {
        const number = this.number();
        if (!Number.isFinite(number)) return false;
        if (key === START) this.startTime = number;
        else this.endTime = number;
        return true;
      }
      case PACKETS:
      case BYTES: {
        const counter = this.counter();
        if (counter === undefined) return false;
        if (key === PACKETS) this.packets = counter;
        else this.byteCount = counter;
        return true;
      }
      case SPORT:
      case DPORT:
      case VLAN: {
        if (this.isNull()) return true;
        const number = this.number();
        if (!Number.isInteger(number) || number < 0 || number > 65535) return false;
        if (key === SPORT) this.sport = number;
        else if (key === DPORT) this.dport = number;
        else this.vlan = number;
        this.present |= key;
        return true;
      }
      case EXTRA:
        if (this.isNull()) return true;
        this.present |= key;
        return this.extra();
      case SCHEMA:
        // Ignored by recordFromJson whatever it holds; a number or a plain string is skipped here.
        if (this.isNull()) return true;
        if (this.pos < this.end && this.bytes[this.pos] === QUOTE) return this.string();
        return !Number.isNaN(this.number());
      default: {
        if (!this.string()) return false;
        const text = this.text;
        if (text === null) return true;
        if (key === SRC) this.src = text;
        else if (key === DST) this.dst = text;
        else if (key === PROTO) this.proto = text;
        else if (key === SRC_MAC) this.srcMac = text;
        else if (key === DST_MAC) this.dstMac = text;
        else if (key === NAME) this.name = text;
        else this.sensor = text;
        this.present |= key;
        return true;
      }
    }
  }

  /** `"key"`: its bit, or 0 for a key that is not a record field or not plain. */
  private key(index: number): number {
    const bytes = this.bytes;
    const at = this.pos;
    if (at >= this.end || bytes[at] !== QUOTE) return 0;
    // Lines of one file repeat their keys in one order: try the key the last line had here first.
    const predicted = this.keyOrder[index];
    if (predicted !== undefined) {
      const name = predicted.name;
      const close = at + 1 + name.length;
      if (close < this.end && bytes[close] === QUOTE) {
        let i = 0;
        while (i < name.length && bytes[at + 1 + i] === name[i]) i++;
        if (i === name.length) {
          this.pos = close + 1;
          return predicted.bit;
        }
      }
    }
    const from = at + 1;
    let to = from;
    while (to < this.end && bytes[to] !== QUOTE) to++;
    if (to >= this.end) return 0;
    this.pos = to + 1;
    const candidates = KEYS_BY_LENGTH[to - from];
    if (candidates === undefined) return 0;
    for (const candidate of candidates) {
      const name = candidate.name;
      let i = 0;
      while (i < name.length && bytes[from + i] === name[i]) i++;
      if (i === name.length) {
        this.keyOrder[index] = candidate;
        return candidate.bit;
      }
    }
    return 0;
  }

  /** A JSON number, or NaN when the bytes are not one. */
  private number(): number {
    const bytes = this.bytes;
    const end = this.end;
    const from = this.pos;
    let pos = from;
    const negative = bytes[pos] === MINUS;
    if (negative) pos++;
    let mantissa = 0;
    let digits = 0;
    let fractionDigits = 0;
    if (pos >= end) return NaN;
    let byte = bytes[pos]!;
    if (byte === DIGIT_0) {
      pos++;
      digits = 1;
    } else if (byte > DIGIT_0 && byte <= DIGIT_9) {
      while (pos < end && (byte = bytes[pos]!) >= DIGIT_0 && byte <= DIGIT_9) {
        mantissa = mantissa * 10 + (byte - DIGIT_0);
        digits++;
        pos++;
      }
    } else {
      return NaN;
    }
    if (pos < end && bytes[pos] === DOT) {
      pos++;
      while (pos < end && (byte = bytes[pos]!) >= DIGIT_0 && byte <= DIGIT_9) {
        mantissa = mantissa * 10 + (byte - DIGIT_0);
        fractionDigits++;
        pos++;
      }
      if (fractionDigits === 0) return NaN;
    }
    this.pos = pos;
    if (pos < end && (bytes[pos]! | 0x20) === 0x65) return this.exponentNumber(from);
    // Up to 15 digits the mantissa is exact, and one division by an exact power of ten is correctly
    // rounded: the same double as Number(text). Longer numbers are left to Number.
    if (digits + fractionDigits > 15) return Number(bytes.toString('latin1', from, pos));
    const value = fractionDigits === 0 ? mantissa : mantissa / POWERS_OF_TEN[fractionDigits]!;
    return negative ? -value : value;
  }

  /** The rest of a number with an exponent (`e`/`E` at pos), by Number once the JSON grammar holds. */
  private exponentNumber(from: number): number {
    const bytes = this.bytes;
    let pos = this.pos + 1;
    if (pos < this.end && (bytes[pos] === 0x2b || bytes[pos] === MINUS)) pos++;
    const digitsFrom = pos;
    while (pos < this.end && bytes[pos]! >= DIGIT_0 && bytes[pos]! <= DIGIT_9) pos++;
    if (pos === digitsFrom) return NaN;
    this.pos = pos;
    return Number(bytes.toString('latin1', from, pos));
  }

  /** A counter as recordFromJson takes it: a safe non-negative integer, or 1–20 digits in a string ≤ 2^64-1. */
  private counter(): Counter | undefined {
    if (this.bytes[this.pos] !== QUOTE) {
      const number = this.number();
      return Number.isSafeInteger(number) && number >= 0 ? number : undefined;
    }
    const from = this.pos + 1;
    let pos = from;
    while (pos < this.end && this.bytes[pos]! >= DIGIT_0 && this.bytes[pos]! <= DIGIT_9) pos++;
    if (pos === from || pos - from > 20 || pos >= this.end || this.bytes[pos] !== QUOTE) return undefined;
    this.pos = pos + 1;
    const big = BigInt(this.bytes.toString('latin1', from, pos));
    return big <= UINT64_MAX ? big : undefined;
  }

  /** True (and past it) when a `null` is next. */
  private isNull(): boolean {
    const bytes = this.bytes;
    const pos = this.pos;
    if (
      pos + 4 <= this.end &&
      bytes[pos] === LOWER_N &&
      bytes[pos + 1] === 0x75 &&
      bytes[pos + 2] === 0x6c &&
      bytes[pos + 3] === 0x6c
    ) {
      this.pos = pos + 4;
      return true;
    }
    return false;
  }

  /** A plain string (printable ASCII, no escape) or null into `text`; false for anything else. */
  private string(): boolean {
    if (this.isNull()) {
      this.text = null;
      return true;
    }
    const bytes = this.bytes;
    if (this.pos >= this.end || bytes[this.pos] !== QUOTE) return false;
    const from = this.pos + 1;
    let hash = FNV_OFFSET;
    let pos = from;
    let byte = 0;
    for (; pos < this.end; pos++) {
      byte = bytes[pos]!;
      if (PLAIN_STRING_BYTE[byte] === 0) break;
      hash = Math.imul(hash ^ byte, FNV_PRIME);
    }
    if (byte !== QUOTE || pos >= this.end) return false;
    this.pos = pos + 1;
    this.text = this.texts.hashed(bytes, from, pos, hash);
    return true;
  }

  /** A flat object of plain keys and string or number values, as recordFromJson copies it. */
  private extra(): boolean {
    const bytes = this.bytes;
    if (this.pos >= this.end || bytes[this.pos] !== OPEN_BRACE) return false;
    this.pos++;
    this.skipSpace();
    const extra: Record<string, number | string> = {};
    this.extraValue = extra;
    if (this.pos < this.end && bytes[this.pos] === CLOSE_BRACE) {
      this.pos++;
      return true;
    }
    for (;;) {
      if (!this.string() || this.text === null) return false;
      const key = this.text;
      // An own property named __proto__ is what JSON.parse makes; assigning it would set the prototype.
      if (key === '__proto__') return false;
      this.skipSpace();
      if (this.pos >= this.end || bytes[this.pos] !== COLON) return false;
      this.pos++;
      this.skipSpace();
      if (this.pos >= this.end) return false;
      if (bytes[this.pos] === QUOTE) {
        if (!this.string()) return false;
        extra[key] = this.text!;
      } else {
        const number = this.number();
        if (!Number.isFinite(number)) return false;
        extra[key] = number;
      }
      this.skipSpace();
      if (this.pos >= this.end) return false;
      const next = bytes[this.pos++];
      if (next === CLOSE_BRACE) return true;
      if (next !== COMMA) return false;
      this.skipSpace();
    }
  }

  /** JSON whitespace: space, tab, CR, LF. */
  private skipSpace(): void {
    const bytes = this.bytes;
    let pos = this.pos;
    while (pos < this.end) {
      const byte = bytes[pos];
      if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d && byte !== 0x0a) break;
      pos++;
    }
    this.pos = pos;
  }
}
