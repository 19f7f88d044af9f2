/**
 * A parser for the subset of Perl data syntax that Net::Connection::Sniffer and Data::Dumper write:
 * hashes `{ k => v, }`, arrays `[ … ]`, single- and double-quoted strings with their escapes, numbers,
 * barewords as hash keys, `undef`, trailing commas and `#` comments. It never evaluates anything.
 *
 * It works on bytes (a Buffer) and keeps strings as latin1 text, so every byte survives a round trip.
 * Positions are tracked as byte offsets; line and column are computed only when an error is raised,
 * which keeps the hot path to plain byte comparisons.
 */
import { ParseError } from '../../model/errors.js';

export type PerlValue = string | number | null | PerlValue[] | PerlHash;
export type PerlHash = Map<string, PerlValue>;

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const HASH = 0x23;
/** Bytes of Perl data syntax, shared with the status reader's fast path. */
export const QUOTE = 0x27;
const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const EQUALS = 0x3d;
export const GREATER = 0x3e;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;

const isDigit = (byte: number) => byte >= 0x30 && byte <= 0x39;
const isWordByte = (byte: number) =>
  (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || isDigit(byte) || byte === 0x5f;

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * Bytes as latin1 text. Calls the Buffer's own `latin1Slice`: `toString('latin1', …)` reaches the same
 * function through argument checks that cost more than the copy for the short strings parsed here.
 */
export function latin1(buffer: Buffer, start: number, end: number): string {
  return (buffer as Latin1Buffer).latin1Slice(start, end);
}

/** Line and 1-based column of a byte offset. */
export function lineAndColumn(buffer: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, buffer.length);
  for (let i = 0; i < end; i++) {
    if (buffer[i] === LF) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const NUMBER_TEXT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Perl numeric text (as Data::Dumper quotes it) to a number, or undefined when it is not one. */
export function numericValue(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return undefined;
  return Number(trimmed);
}

function describeByte(byte: number | undefined): string {
  if (byte === undefined) return 'end of file (is the file truncated?)';
  if (byte === LF) return 'end of line';
  if (byte >= 0x21 && byte <= 0x7e) return `'${String.fromCharCode(byte)}'`;
  return `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

export class PerlDataReader {
  pos: number;

  constructor(
    readonly buffer: Buffer,
    readonly file: string,
    start = 0,
  ) {
    this.pos = start;
  }

  /** A ParseError at `offset` (default: the current position) naming line and column. */
  error(message: string, offset = this.pos): ParseError {
    const { line, column } = lineAndColumn(this.buffer, offset);
    return new ParseError(message, { file: this.file, line, column, offset });
  }

  get atEnd(): boolean {
    return this.pos >= this.buffer.length;
  }

  peek(): number | undefined {
    return this.buffer[this.pos];
  }

  /** Skips blanks, newlines and `#` comments. */
  skipSpace(): void {
    const buffer = this.buffer;
    let pos = this.pos;
    for (;;) {
      const byte = buffer[pos];
      if (byte === SPACE || byte === TAB || byte === LF || byte === CR) pos++;
      else if (byte === HASH) {
        while (pos < buffer.length && buffer[pos] !== LF) pos++;
      } else break;
    }
    this.pos = pos;
  }

  /** Consumes `byte` (after blanks) or throws, saying what was expected instead of what was found. */
  expect(byte: number, what: string): void {
    this.skipSpace();
    if (this.buffer[this.pos] !== byte) {
      throw this.error(`expected ${what}, found ${describeByte(this.buffer[this.pos])}`);
    }
    this.pos++;
  }

  /** Consumes `byte` if it is next (after blanks). */
  accept(byte: number): boolean {
    this.skipSpace();
    if (this.buffer[this.pos] === byte) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Consumes a literal word (e.g. `my`, `$dump`) if it is next. */
  acceptWord(word: string): boolean {
    this.skipSpace();
    const end = this.pos + word.length;
    if (end > this.buffer.length || latin1(this.buffer, this.pos, end) !== word) return false;
    if (isWordByte(this.buffer[end] ?? 0) && isWordByte(word.charCodeAt(word.length - 1))) return false;
    this.pos = end;
    return true;
  }

  /** `=>` or `,` between a hash key and its value (Perl accepts both). */
  expectFatComma(): void {
    this.skipSpace();
    const buffer = this.buffer;
    if (buffer[this.pos] === EQUALS && buffer[this.pos + 1] === GREATER) this.pos += 2;
    else if (buffer[this.pos] === COMMA) this.pos++;
    else throw this.error(`expected '=>' after the hash key, found ${describeByte(buffer[this.pos])}`);
  }

  /** After a list element: `,` or the closing bracket. Returns true when the list is closed. */
  endOfElement(close: number, what: string): boolean {
    this.skipSpace();
    const byte = this.buffer[this.pos];
    if (byte === COMMA) {
      this.pos++;
      this.skipSpace();
      if (this.buffer[this.pos] === close) {
        this.pos++;
        return true;
      }
      return false;
    }
    if (byte === close) {
      this.pos++;
      return true;
    }
    throw this.error(
      `expected ',' or '${String.fromCharCode(close)}' in ${what}, found ${describeByte(byte)}`,
    );
  }

  /**
   * A one-letter hash key (`B`, `'B'` or `"B"`) as its character code, or -1 when the key is anything
   * else (the position is then unchanged). The hot path of status files: no string is made.
   */
  parseLetterKey(): number {
    this.skipSpace();
    const buffer = this.buffer;
    const pos = this.pos;
    const first = buffer[pos]!;
    if (first === QUOTE || first === DQUOTE) {
      const letter = buffer[pos + 1]!;
      if (buffer[pos + 2] === first && isWordByte(letter) && letter !== BACKSLASH) {
        this.pos = pos + 3;
        return letter;
      }
      return -1;
    }
    if (isWordByte(first) && !isWordByte(buffer[pos + 1] ?? 0)) {
      this.pos = pos + 1;
      return first;
    }
    return -1;
  }

  /** A hash key: a quoted string, a bareword or a number. */
  parseKey(): string {
    this.skipSpace();
    const byte = this.buffer[this.pos];
    if (byte === QUOTE) return this.parseSingleQuoted();
    if (byte === DQUOTE) return this.parseDoubleQuoted();
    const start = this.pos;
    if (byte === 0x2d) this.pos++; // -bareword
    while (this.pos < this.buffer.length && isWordByte(this.buffer[this.pos]!)) this.pos++;
    if (this.pos === start) throw this.error(`expected a hash key, found ${describeByte(byte)}`);
    return latin1(this.buffer, start, this.pos);
  }

  /** Any value. Hashes become Maps (never plain objects: a key like `__proto__` stays data). */
  parseValue(): PerlValue {
    this.skipSpace();
    const byte = this.buffer[this.pos];
    switch (byte) {
      case QUOTE:
        return this.parseSingleQuoted();
      case DQUOTE:
        return this.parseDoubleQuoted();
      case LBRACKET:
        return this.parseArray();
      case LBRACE:
        return this.parseHash();
      default:
        if (byte !== undefined && (isDigit(byte) || byte === 0x2d || byte === 0x2b || byte === 0x2e)) {
          return this.parseNumber();
        }
        if (this.acceptWord('undef')) return null;
        throw this.error(
          `expected a value (number, string, [array], {hash} or undef), found ${describeByte(byte)}`,
        );
    }
  }

  parseArray(): PerlValue[] {
    this.expect(LBRACKET, "'['");
    const items: PerlValue[] = [];
    if (this.accept(RBRACKET)) return items;
    do items.push(this.parseValue());
    while (!this.endOfElement(RBRACKET, 'an array'));
    return items;
  }

  parseHash(): PerlHash {
    const open = this.pos;
    this.expect(LBRACE, "'{'");
    const hash: PerlHash = new Map();
    if (this.accept(RBRACE)) return hash;
    do {
      const keyOffset = this.pos;
      const key = this.parseKey();
      if (hash.has(key))
        throw this.error(`duplicate key '${key}' in the hash opened at offset ${open}`, keyOffset);
      this.expectFatComma();
      hash.set(key, this.parseValue());
    } while (!this.endOfElement(RBRACE, 'a hash'));
    return hash;
  }

  parseNumber(): number {
    const buffer = this.buffer;
    const start = this.pos;
    // Fast path: plain decimal integers, which is nearly every number a daemon writes.
    let fast = 0;
    let end = start;
    while (end < buffer.length && end - start < 15 && isDigit(buffer[end]!))
      fast = fast * 10 + (buffer[end++]! - 0x30);
    const after = buffer[end];
    if (
      end > start &&
      after !== 0x2e &&
      after !== 0x65 &&
      after !== 0x45 &&
      after !== 0x5f &&
      !isDigit(after ?? 0)
    ) {
      this.pos = end;
      return fast;
    }
    let pos = start;
    if (buffer[pos] === 0x2d || buffer[pos] === 0x2b) pos++;
    while (pos < buffer.length && (isDigit(buffer[pos]!) || buffer[pos] === 0x2e || buffer[pos] === 0x5f))
      pos++;
    if (buffer[pos] === 0x65 || buffer[pos] === 0x45) {
      pos++;
      if (buffer[pos] === 0x2d || buffer[pos] === 0x2b) pos++;
      while (pos < buffer.length && isDigit(buffer[pos]!)) pos++;
    }
    // Perl allows 1_000 in literals; the underscores carry no value.
    const text = latin1(buffer, start, pos).replace(/_/g, '');
    const value = numericValue(text);
    if (value === undefined) throw this.error(`malformed number '${latin1(buffer, start, pos)}'`, start);
    if (!Number.isFinite(value)) throw this.error(`number '${text}' is too large`, start);
    this.pos = pos;
    return value;
  }

  /** `'…'`: only `\\` and `\'` are escapes, as in Perl. */
  parseSingleQuoted(): string {
    const buffer = this.buffer;
    const open = this.pos;
    let pos = open + 1;
    let start = pos;
    let out = '';
    for (;;) {
      const byte = buffer[pos];
      if (byte === undefined) throw this.error('unterminated string (missing closing quote)', open);
      if (byte === QUOTE) break;
      if (byte === BACKSLASH && (buffer[pos + 1] === QUOTE || buffer[pos + 1] === BACKSLASH)) {
        out += latin1(buffer, start, pos) + String.fromCharCode(buffer[pos + 1]!);
        pos += 2;
        start = pos;
        continue;
      }
      pos++;
    }
    out += latin1(buffer, start, pos);
    this.pos = pos + 1;
    return out;
  }

  /**
   * `"…"` with the escapes Data::Dumper's Useqq writes (`\n \t \r \f \b \a \e \0NN \xHH \x{HHHH} \\ \" \$
   * \@`). An unescaped `$` or `@` would interpolate a variable in Perl: that is code, not data, and is refused.
   */
  parseDoubleQuoted(): string {
    const buffer = this.buffer;
    const open = this.pos;
    let pos = open + 1;
    let out = '';
    for (;;) {
      const byte = buffer[pos];
      if (byte === undefined) throw this.error('unterminated string (missing closing quote)', open);
      if (byte === DQUOTE) break;
      if (byte === 0x24 || byte === 0x40) {
        throw this.error(
          `interpolation of '${String.fromCharCode(byte)}' in a double-quoted string is not data`,
          pos,
        );
      }
      if (byte !== BACKSLASH) {
        out += String.fromCharCode(byte);
        pos++;
        continue;
      }
      const escape = buffer[pos + 1];
      pos += 2;
      switch (escape) {
        case 0x6e:
          out += '\n';
          break;
        case 0x74:
          out += '\t';
          break;
        case 0x72:
          out += '\r';
          break;
        case 0x66:
          out += '\f';
          break;
        case 0x62:
          out += '\b';
          break;
        case 0x61:
          out += '\x07';
          break;
        case 0x65:
          out += '\x1b';
          break;
        case 0x78: {
          // \xHH or \x{HHHH}
          let hex = '';
          if (buffer[pos] === LBRACE) {
            const close = buffer.indexOf(RBRACE, pos);
            if (close < 0) throw this.error('unterminated \\x{…} escape', pos);
            hex = latin1(buffer, pos + 1, close);
            pos = close + 1;
          } else {
            while (hex.length < 2 && /[0-9a-fA-F]/.test(String.fromCharCode(buffer[pos] ?? 0))) {
              hex += String.fromCharCode(buffer[pos]!);
              pos++;
            }
          }
          if (!/^[0-9a-fA-F]{0,6}$/.test(hex)) throw this.error(`malformed \\x escape '${hex}'`, pos);
          out += String.fromCodePoint(hex === '' ? 0 : parseInt(hex, 16));
          break;
        }
        default:
          if (escape !== undefined && escape >= 0x30 && escape <= 0x37) {
            let octal = String.fromCharCode(escape);
            while (octal.length < 3 && (buffer[pos] ?? 0) >= 0x30 && (buffer[pos] ?? 0) <= 0x37) {
              octal += String.fromCharCode(buffer[pos]!);
              pos++;
            }
            out += String.fromCharCode(parseInt(octal, 8));
          } else if (escape === undefined) {
            throw this.error('unterminated string (missing closing quote)', open);
          } else {
            out += String.fromCharCode(escape); // \\ \" \$ \@ and any other char stand for themselves
          }
      }
    }
    this.pos = pos + 1;
    return out;
  }
}
