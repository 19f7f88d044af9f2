/**
 * A status file's entries as columns: one Float64Array per counter and byte spans for the addresses and
 * host names. This is what the reports run on. A million-IP file read into SnifferEntry objects makes
 * four million small objects (entry, address, names array, name) that the garbage collector then copies
 * and promotes; as columns it makes none, and the text report copies the spans' bytes straight out.
 *
 * Strings are bytes read as latin1, as everywhere in the Sniffer family. A decoded string that holds a
 * code point above 0xFF (a `"\x{263a}"` escape, which no daemon writes) is kept as its UTF-8 bytes, which
 * is what Perl prints for it.
 */
import { addressOrderKey } from '../../model/ip.js';
import { latin1 } from './perl-data.js';
import type { SnifferEntry } from './status.js';

export class SnifferTable {
  /**
   * @param text bytes the spans point into (the status file itself when parsed)
   * @param ipSpans start, end of row r's address at [2r], [2r+1]
   * @param nameFirst row r's names are name spans nameFirst[r] … nameFirst[r+1]-1 (length size + 1)
   * @param nameSpans start, end of name span n at [2n], [2n+1]
   * @param v4Keys IPv4 rows: the address as a number; IPv6 rows: NaN (their key is in `v6Keys`)
   * @param v6Keys order keys (see `addressOrderKey`) of the IPv6 rows, by row
   */
  constructor(
    readonly size: number,
    readonly text: Buffer,
    readonly ipSpans: Uint32Array,
    readonly nameFirst: Uint32Array,
    readonly nameSpans: Uint32Array,
    readonly v4Keys: Float64Array,
    readonly v6Keys: ReadonlyMap<number, bigint>,
    /** B: bytes of the current interval. */
    readonly bytes: Float64Array,
    /** C: packets of the current interval. */
    readonly count: Float64Array,
    /** E: epoch of the last rate fold. */
    readonly lastUpdate: Float64Array,
    /** R: packets per hour. */
    readonly ratePerHour: Float64Array,
    /** S: collection start. */
    readonly start: Float64Array,
    /** T: PTR expiry. */
    readonly ptrExpiry: Float64Array,
    /** W: bytes per hour. */
    readonly bytesPerHour: Float64Array,
  ) {}

  /** The order key of a row: IPv4 as its number, IPv6 as its bigint above every IPv4 key. */
  orderKey(row: number): number | bigint {
    const key = this.v4Keys[row]!;
    return key === key ? key : this.v6Keys.get(row)!;
  }

  ip(row: number): string {
    return latin1(this.text, this.ipSpans[2 * row]!, this.ipSpans[2 * row + 1]!);
  }

  nameCount(row: number): number {
    return this.nameFirst[row + 1]! - this.nameFirst[row]!;
  }

  /** The `index`th host name of a row. */
  name(row: number, index: number): string {
    const span = this.nameFirst[row]! + index;
    return latin1(this.text, this.nameSpans[2 * span]!, this.nameSpans[2 * span + 1]!);
  }

  names(row: number): string[] {
    const names: string[] = [];
    for (let span = this.nameFirst[row]!; span < this.nameFirst[row + 1]!; span++) {
      names.push(latin1(this.text, this.nameSpans[2 * span]!, this.nameSpans[2 * span + 1]!));
    }
    return names;
  }

  entry(row: number): SnifferEntry {
    return {
      ip: this.ip(row),
      bytes: this.bytes[row]!,
      count: this.count[row]!,
      lastUpdate: this.lastUpdate[row]!,
      names: this.names(row),
      ratePerHour: this.ratePerHour[row]!,
      start: this.start[row]!,
      ptrExpiry: this.ptrExpiry[row]!,
      bytesPerHour: this.bytesPerHour[row]!,
    };
  }

  /** Every row as an entry object, in row (file) order. */
  entries(): SnifferEntry[] {
    return Array.from({ length: this.size }, (_, row) => this.entry(row));
  }

  /**
   * Row indices in ascending address order (IPv4 before IPv6), computed once: the groupings and the
   * duplicate check share it.
   */
  addressOrder(): Uint32Array {
    return (this.#addressOrder ??= sortRowsByAddress(this));
  }
  #addressOrder: Uint32Array | undefined;

  /** A table of entries made in memory (a merge, the sensor): the small paths. */
  static fromEntries(entries: readonly SnifferEntry[]): SnifferTable {
    const builder = new SnifferTableBuilder(Buffer.alloc(0), entries.length);
    for (const entry of entries) {
      const key = addressOrderKey(entry.ip);
      if (key === undefined) throw new TypeError(`not an IP address: ${entry.ip}`);
      const [ipStart, ipEnd] = builder.addText(entry.ip);
      const row = builder.addRow(ipStart, ipEnd, key);
      for (const name of entry.names) {
        const [start, end] = builder.addText(name);
        builder.addName(start, end);
      }
      builder.bytes[row] = entry.bytes;
      builder.count[row] = entry.count;
      builder.lastUpdate[row] = entry.lastUpdate;
      builder.ratePerHour[row] = entry.ratePerHour;
      builder.start[row] = entry.start;
      builder.ptrExpiry[row] = entry.ptrExpiry;
      builder.bytesPerHour[row] = entry.bytesPerHour;
    }
    return builder.finish();
  }
}

/** Two rows whose addresses are equal (the first row comes first in the file). */
export interface DuplicateRows {
  first: number;
  second: number;
}

/** The first pair of rows (in address order) that hold the same address, if any. */
export function findDuplicateAddress(table: SnifferTable): DuplicateRows | undefined {
  const order = table.addressOrder();
  for (let i = 1; i < order.length; i++) {
    const a = order[i - 1]!;
    const b = order[i]!;
    if (table.orderKey(a) === table.orderKey(b)) return { first: Math.min(a, b), second: Math.max(a, b) };
  }
  return undefined;
}

const INDEX_SPACE = 2 ** 21;

function sortRowsByAddress(table: SnifferTable): Uint32Array {
  const count = table.size;
  const order = new Uint32Array(count);
  if (count < INDEX_SPACE && table.v6Keys.size === 0) {
    // IPv4 only: pack key and row into one exact double (2^32 × 2^21 < 2^53) and sort natively.
    const packed = new Float64Array(count);
    const keys = table.v4Keys;
    for (let row = 0; row < count; row++) packed[row] = keys[row]! * INDEX_SPACE + row;
    packed.sort();
    for (let i = 0; i < count; i++) order[i] = packed[i]! % INDEX_SPACE;
    return order;
  }
  for (let row = 0; row < count; row++) order[row] = row;
  // Stable, so equal addresses (duplicates, refused by the reader) keep file order.
  return order.sort((a, b) => {
    const keyA = table.orderKey(a);
    const keyB = table.orderKey(b);
    return keyA < keyB ? -1 : keyA > keyB ? 1 : a - b;
  });
}

/** Grows a typed array to at least `needed` elements (doubling), keeping its contents. */
function grown<T extends Float64Array | Uint32Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/**
 * Builds a table row by row. The reader writes the counters straight into the public columns after
 * `addRow` (which makes room for the row); strings that are not plain spans of `text` (decoded escapes,
 * entries made in memory) go through `addText`.
 */
export class SnifferTableBuilder {
  size = 0;
  bytes: Float64Array;
  count: Float64Array;
  lastUpdate: Float64Array;
  ratePerHour: Float64Array;
  start: Float64Array;
  ptrExpiry: Float64Array;
  bytesPerHour: Float64Array;
  #v4Keys: Float64Array;
  readonly #v6Keys = new Map<number, bigint>();
  #ipSpans: Uint32Array;
  #nameFirst: Uint32Array;
  #nameSpans: Uint32Array;
  #names = 0;
  /** Strings appended after `text`, and their total length in bytes. */
  readonly #extra: Buffer[] = [];
  #extraLength = 0;

  constructor(
    readonly text: Buffer,
    capacity: number,
  ) {
    const rows = Math.max(16, capacity);
    this.bytes = new Float64Array(rows);
    this.count = new Float64Array(rows);
    this.lastUpdate = new Float64Array(rows);
    this.ratePerHour = new Float64Array(rows);
    this.start = new Float64Array(rows);
    this.ptrExpiry = new Float64Array(rows);
    this.bytesPerHour = new Float64Array(rows);
    this.#v4Keys = new Float64Array(rows);
    this.#ipSpans = new Uint32Array(2 * rows);
    this.#nameFirst = new Uint32Array(rows + 1);
    this.#nameSpans = new Uint32Array(2 * rows);
  }

  /** Starts a row for the address at `text[start, end)` with its order key; returns the row. */
  addRow(start: number, end: number, key: number | bigint): number {
    const row = this.size;
    if (row === this.bytes.length) this.#grow(row + 1);
    this.#ipSpans[2 * row] = start;
    this.#ipSpans[2 * row + 1] = end;
    if (typeof key === 'number') this.#v4Keys[row] = key;
    else {
      this.#v4Keys[row] = NaN;
      this.#v6Keys.set(row, key);
    }
    this.#nameFirst[row] = this.#names;
    this.size = row + 1;
    this.#nameFirst[this.size] = this.#names;
    return row;
  }

  /** Adds a host name at `text[start, end)` to the last row. */
  addName(start: number, end: number): void {
    const span = this.#names++;
    if (2 * span + 1 >= this.#nameSpans.length) this.#nameSpans = grown(this.#nameSpans, 2 * span + 2);
    this.#nameSpans[2 * span] = start;
    this.#nameSpans[2 * span + 1] = end;
    this.#nameFirst[this.size] = this.#names;
  }

  /** Stores a string that is not a span of `text`; returns its span. */
  addText(value: string): [number, number] {
    // eslint-disable-next-line no-control-regex
    const bytes = Buffer.from(value, /[^\x00-\xff]/.test(value) ? 'utf8' : 'latin1');
    const start = this.text.length + this.#extraLength;
    this.#extra.push(bytes);
    this.#extraLength += bytes.length;
    return [start, start + bytes.length];
  }

  #grow(needed: number): void {
    this.bytes = grown(this.bytes, needed);
    this.count = grown(this.count, needed);
    this.lastUpdate = grown(this.lastUpdate, needed);
    this.ratePerHour = grown(this.ratePerHour, needed);
    this.start = grown(this.start, needed);
    this.ptrExpiry = grown(this.ptrExpiry, needed);
    this.bytesPerHour = grown(this.bytesPerHour, needed);
    this.#v4Keys = grown(this.#v4Keys, needed);
    this.#ipSpans = grown(this.#ipSpans, 2 * needed);
    this.#nameFirst = grown(this.#nameFirst, needed + 1);
  }

  finish(): SnifferTable {
    const size = this.size;
    const text = this.#extraLength === 0 ? this.text : Buffer.concat([this.text, ...this.#extra]);
    return new SnifferTable(
      size,
      text,
      this.#ipSpans.subarray(0, 2 * size),
      this.#nameFirst.subarray(0, size + 1),
      this.#nameSpans.subarray(0, 2 * this.#names),
      this.#v4Keys.subarray(0, size),
      this.#v6Keys,
      this.bytes.subarray(0, size),
      this.count.subarray(0, size),
      this.lastUpdate.subarray(0, size),
      this.ratePerHour.subarray(0, size),
      this.start.subarray(0, size),
      this.ptrExpiry.subarray(0, size),
      this.bytesPerHour.subarray(0, size),
    );
  }
}
