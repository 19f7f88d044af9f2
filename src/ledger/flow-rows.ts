/**
 * Records → rows of the DuckDB `flows` table, column by column, 2,048 rows at a time.
 *
 * The hot path of `netledger ingest`: each record is written into preallocated typed arrays (one per
 * column) and its texts become ids of the `strings` dictionary; no object is made per record. Absent
 * values are counted per column: a column that is present in every row of a chunk (or in none) needs no
 * per-row marks downstream.
 */
import { ParseError } from '../model/errors.js';
import type { Counter, TrafficRecord } from '../model/record.js';

/** Rows per {@link FlowRows} (DuckDB's vector size). */
export const CHUNK_ROWS = 2048;

/** A column of dictionary ids, 0 where the record has no value. */
export interface IdColumn {
  values: Uint32Array<ArrayBuffer>;
  absent: number;
}

/** A 16-bit column (ports, VLAN) held in 32 bits, with a flag (1) for each row that has no value. */
export interface SmallColumn {
  values: Uint32Array<ArrayBuffer>;
  missing: Uint8Array<ArrayBuffer>;
  absent: number;
}

const idColumn = (): IdColumn => ({ values: new Uint32Array(CHUNK_ROWS), absent: 0 });
const smallColumn = (): SmallColumn => ({
  values: new Uint32Array(CHUNK_ROWS),
  missing: new Uint8Array(CHUNK_ROWS),
  absent: 0,
});

/** Up to {@link CHUNK_ROWS} rows of `flows` (all columns but `source_id`, which is one per source). */
export class FlowRows {
  rows = 0;
  readonly starts = new Float64Array(CHUNK_ROWS);
  readonly ends = new Float64Array(CHUNK_ROWS);
  readonly src = idColumn();
  readonly dst = idColumn();
  readonly sport = smallColumn();
  readonly dport = smallColumn();
  readonly proto = idColumn();
  readonly srcMac = idColumn();
  readonly dstMac = idColumn();
  readonly vlan = smallColumn();
  readonly name = idColumn();
  readonly sensor = idColumn();
  readonly srcName = idColumn();
  readonly dstName = idColumn();
  /** UBIGINT as two little-endian 32-bit words per row. */
  readonly packets = new Uint32Array(CHUNK_ROWS * 2);
  readonly bytes = new Uint32Array(CHUNK_ROWS * 2);
  /** JSON of the `extra` keys that have no column, per row. */
  readonly extras: Array<string | undefined> = new Array<string | undefined>(CHUNK_ROWS);
  extraCount = 0;

  /** Empties the rows for reuse: values are overwritten row by row, only counts and texts are reset. */
  clear(): void {
    this.rows = 0;
    for (const column of [this.src, this.dst, this.proto, this.srcMac, this.dstMac, this.name]) {
      column.absent = 0;
    }
    for (const column of [this.sensor, this.srcName, this.dstName, this.sport, this.dport, this.vlan]) {
      column.absent = 0;
    }
    if (this.extraCount > 0) {
      this.extras.fill(undefined);
      this.extraCount = 0;
    }
  }
}

/** Text → id of the `strings` table; the writer adds the texts it has not seen. */
export interface StringDictionary {
  ids: Map<string, number>;
  /** Texts added since the dictionary was loaded, in id order (to be written to `strings`). */
  added: string[];
}

/** Keys of `extra` promoted to columns (reverse-DNS names of src and dst, for `--by domain`). */
const PROMOTED_EXTRA = new Set(['srcName', 'dstName']);

/**
 * Fills {@link FlowRows} from records and hands each full one to `emit`; `take` supplies empty ones, so
 * the consumer can recycle them. Refuses what the table cannot hold: `end < start`, counters outside
 * 0..2^64-1, ports and VLANs outside 0..65535.
 */
export class FlowRowWriter {
  /** Records written so far. */
  count = 0;
  private earliest = Infinity;
  private latest = -Infinity;
  private current: FlowRows;

  constructor(
    private readonly take: () => FlowRows,
    private readonly emit: (rows: FlowRows) => void,
    private readonly dictionary: StringDictionary,
    /** Named in errors. */
    private readonly path: string,
  ) {
    this.current = this.fresh();
  }

  /** Earliest record start, or undefined when no record was written. */
  get firstTime(): number | undefined {
    return this.count === 0 ? undefined : this.earliest;
  }

  /** Latest record end, or undefined when no record was written. */
  get lastTime(): number | undefined {
    return this.count === 0 ? undefined : this.latest;
  }

  write(records: readonly TrafficRecord[]): void {
    for (let index = 0; index < records.length; index++) {
      this.writeRecord(this.current, records[index]!);
      if (this.current.rows === CHUNK_ROWS) {
        this.emit(this.current);
        this.current = this.fresh();
      }
    }
  }

  /** Emits the last, partly filled rows. */
  finish(): void {
    if (this.current.rows > 0) this.emit(this.current);
    this.current = this.fresh();
  }

  private fresh(): FlowRows {
    const rows = this.take();
    rows.clear();
    return rows;
  }

  private writeRecord(out: FlowRows, record: TrafficRecord): void {
    const row = out.rows;
    const { start, end } = record;
    if (!(end >= start)) {
      throw new ParseError(`record ${this.count + 1} ends (${end}) before it starts (${start})`, {
        file: this.path,
      });
    }
    out.starts[row] = start;
    out.ends[row] = end;
    if (start < this.earliest) this.earliest = start;
    if (end > this.latest) this.latest = end;
    this.putId(out.src, row, record.src);
    this.putId(out.dst, row, record.dst);
    this.putSmall(out.sport, row, record.sport, 'sport');
    this.putSmall(out.dport, row, record.dport, 'dport');
    this.putId(out.proto, row, record.proto);
    this.putId(out.srcMac, row, record.srcMac);
    this.putId(out.dstMac, row, record.dstMac);
    this.putSmall(out.vlan, row, record.vlan, 'vlan');
    this.putId(out.name, row, record.name);
    this.putId(out.sensor, row, record.sensor);
    const extra = record.extra;
    if (extra === undefined) {
      putAbsent(out.srcName, row);
      putAbsent(out.dstName, row);
    } else {
      const { srcName, dstName } = extra;
      this.putId(out.srcName, row, typeof srcName === 'string' ? srcName : undefined);
      this.putId(out.dstName, row, typeof dstName === 'string' ? dstName : undefined);
      const rest = otherExtra(extra);
      if (rest !== undefined) {
        out.extras[row] = rest;
        out.extraCount++;
      }
    }
    this.putCounter(out.packets, row, record.packets, 'packets');
    this.putCounter(out.bytes, row, record.bytes, 'bytes');
    this.count++;
    out.rows = row + 1;
  }

  private putId(column: IdColumn, row: number, text: string | undefined): void {
    if (text === undefined) {
      putAbsent(column, row);
      return;
    }
    const id = this.dictionary.ids.get(text);
    column.values[row] = id === undefined ? this.addString(text) : id;
  }

  private addString(text: string): number {
    const id = this.dictionary.ids.size + 1;
    this.dictionary.ids.set(text, id);
    this.dictionary.added.push(text);
    return id;
  }

  /** A port or VLAN: USMALLINT, so an integer 0..65535 (a Uint32Array and the column would wrap others). */
  private putSmall(column: SmallColumn, row: number, value: number | undefined, what: string): void {
    if (value === undefined) {
      column.missing[row] = 1;
      column.absent++;
    } else {
      if (!(value >>> 0 === value && value <= 0xffff)) {
        throw new ParseError(`record ${this.count + 1}: ${what} must be an integer 0..65535, got ${value}`, {
          file: this.path,
        });
      }
      column.values[row] = value;
      column.missing[row] = 0;
    }
  }

  private putCounter(words: Uint32Array, row: number, value: Counter, what: string): void {
    // Most counters fit 32 bits: one store and a zero, no division, no BigInt.
    if (typeof value === 'number' && value >>> 0 === value) {
      words[row * 2] = value;
      words[row * 2 + 1] = 0;
    } else {
      this.putWideCounter(words, row, value, what);
    }
  }

  private putWideCounter(words: Uint32Array, row: number, value: Counter, what: string): void {
    if (typeof value === 'number') {
      if (!Number.isSafeInteger(value) || value < 0) this.badCounter(what, value);
      words[row * 2] = value % 4294967296;
      words[row * 2 + 1] = Math.floor(value / 4294967296);
    } else {
      if (value < 0n || value >= 1n << 64n) this.badCounter(what, value);
      words[row * 2] = Number(value & 0xffffffffn);
      words[row * 2 + 1] = Number(value >> 32n);
    }
  }

  private badCounter(what: string, value: Counter): never {
    throw new ParseError(`record ${this.count + 1}: ${what} must be an integer 0..2^64-1, got ${value}`, {
      file: this.path,
    });
  }
}

function putAbsent(column: IdColumn, row: number): void {
  column.values[row] = 0;
  column.absent++;
}

/**
 * JSON of single-key rests of `extra` by key and value: sources repeat a few (tstat's `direction`, `c2s`
 * and `s2c` in turn, on every record), and one JSON.stringify per record cost as much as the rest of the
 * row. Emptied when it holds {@link REST_JSON_LIMIT} values, so that varied values (rates) cost little.
 */
const restJson = new Map<string, Map<number | string, string>>();
let restJsonSize = 0;
const REST_JSON_LIMIT = 1024;

/** The `extra` keys that have no column of their own, as JSON, or undefined when there are none. */
function otherExtra(extra: Record<string, number | string>): string | undefined {
  const keys = Object.keys(extra);
  if (keys.length === 1) {
    const key = keys[0]!;
    if (PROMOTED_EXTRA.has(key)) return undefined;
    const value = extra[key]!;
    let byValue = restJson.get(key);
    const known = byValue?.get(value);
    if (known !== undefined) return known;
    const rest: Record<string, number | string> = {};
    rest[key] = value;
    const json = JSON.stringify(rest);
    if (++restJsonSize > REST_JSON_LIMIT) {
      restJson.clear();
      restJsonSize = 1;
      byValue = undefined;
    }
    if (byValue === undefined) restJson.set(key, (byValue = new Map()));
    byValue.set(value, json);
    return json;
  }
  let rest: Record<string, number | string> | undefined;
  for (const key of keys) {
    if (PROMOTED_EXTRA.has(key)) continue;
    (rest ??= {})[key] = extra[key]!;
  }
  return rest === undefined ? undefined : JSON.stringify(rest);
}
