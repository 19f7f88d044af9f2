/**
 * Reader of `fwctl dump-acct` accounting files (formats.md 2.1):
 *
 *     <epoch> SP <chain-id> SP <packets> SP <bytes> [SP <name>] LF
 *
 * Counts are deltas since the previous dump of the same chain (`ipchains -Z` zeroes them on read); a
 * start-up dump writes zero lines. The reader streams: it parses bytes straight from the read buffers (no
 * per-line strings), interns each (chain id, name) pair once, and hands every dump to a visitor as plain
 * numbers, so 10M lines never become 10M objects. Several files are merged in time order (a k-way merge of
 * the streams, each file read chunk by chunk).
 *
 * Bad lines are data, not exceptions: each is counted by reason and reported through `onBadLine` (a
 * warning), or raised as a ParseError naming file and line when `strict` is set.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fromFsError, ParseError, UsageError, type Position } from '../model/errors.js';
import {
  countSkipped,
  newSourceCounters,
  type Counter,
  type SourceCounters,
  type TrafficRecord,
} from '../model/record.js';

/** Defaults of the reader, in one place. */
export const FWCTL_DEFAULTS = {
  /** Bytes read per chunk. */
  chunkSize: 1 << 20,
  /** Name used in messages for standard input. */
  stdinName: '<stdin>',
  /** A longer line is not fwctl's (a binary file?): skipped without buffering it whole. */
  maxLineBytes: 65_536,
} as const;

/** Why a line was skipped; also the keys of `SourceCounters.skipped`. */
export const FWCTL_SKIP_REASONS = {
  missingFields: 'missing fields',
  badTimestamp: 'bad timestamp',
  nonNumeric: 'non-numeric counter',
  negative: 'negative counter',
  extraFields: 'name with spaces',
  backwards: 'time going backwards',
  duplicate: 'duplicate dump',
  truncated: 'truncated last line',
  tooLong: 'line too long',
} as const;

export type FwctlSkipReason = (typeof FWCTL_SKIP_REASONS)[keyof typeof FWCTL_SKIP_REASONS];

/**
 * Receives one dump: `time` (epoch s), `previous` (time of the previous dump of the same chain, NaN for
 * its first dump), `chain` (index into {@link FwctlChains}), `name` (index of the chain's name), and
 * the packet and byte deltas (number below 2^53, bigint above).
 */
export type FwctlVisitor = (
  time: number,
  previous: number,
  chain: number,
  name: number,
  packets: Counter,
  bytes: Counter,
) => void;

export interface FwctlReadOptions {
  /** Turn the first bad line into a ParseError instead of a warning. */
  strict?: boolean;
  /** Called for every skipped line (not called in strict mode). */
  onBadLine?: (reason: FwctlSkipReason, message: string, position: Position) => void;
  /** Standard input, for `-` or no path (tests pass their own stream). */
  stdin?: Readable;
  chunkSize?: number;
  /**
   * Read only bytes `[fromOffset, toOffset)` of each file (the ledger continuing a grown file). Lines are
   * then numbered from `fromOffset`, and a chain's first dump in the range has no previous dump.
   */
  fromOffset?: number;
  toOffset?: number;
}

/** The (chain id, name) pairs seen so far, interned once; names interned separately (reports group by name). */
export class FwctlChains {
  /** Chain ids (`acct0000`) by chain index. */
  readonly ids: string[] = [];
  /** Name index by chain index. */
  readonly nameOf: number[] = [];
  /** Names by name index; a line without a name has the empty name. */
  readonly names: string[] = [];
  private readonly keyBytes: Buffer[] = [];
  private readonly idLength: number[] = [];
  private readonly hashes: number[] = [];
  private readonly nameIndex = new Map<string, number>();
  private slots = new Int32Array(256).fill(-1);

  get size(): number {
    return this.ids.length;
  }

  /**
   * Index of the chain whose id is `buf[idStart, idEnd)` and name `buf[nameStart, nameEnd)`; `hash` is
   * the caller's hash of those bytes, so a known chain costs one table probe and a byte compare.
   */
  intern(
    buf: Buffer,
    idStart: number,
    idEnd: number,
    nameStart: number,
    nameEnd: number,
    hash: number,
  ): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const chain = this.slots[slot]!;
      if (chain === -1) return this.add(buf, idStart, idEnd, nameStart, nameEnd, hash, slot);
      if (this.hashes[chain] === hash && this.matches(chain, buf, idStart, idEnd, nameStart, nameEnd))
        return chain;
    }
  }

  private matches(
    chain: number,
    buf: Buffer,
    idStart: number,
    idEnd: number,
    nameStart: number,
    nameEnd: number,
  ) {
    const key = this.keyBytes[chain]!;
    const idLength = this.idLength[chain]!;
    if (idLength !== idEnd - idStart || key.length - idLength !== nameEnd - nameStart) return false;
    for (let i = 0; i < idLength; i++) if (key[i] !== buf[idStart + i]) return false;
    for (let i = idLength; i < key.length; i++) if (key[i] !== buf[nameStart + i - idLength]) return false;
    return true;
  }

  private add(
    buf: Buffer,
    idStart: number,
    idEnd: number,
    nameStart: number,
    nameEnd: number,
    hash: number,
    slot: number,
  ): number {
    const chain = this.ids.length;
    const id = buf.toString('utf8', idStart, idEnd);
    const name = buf.toString('utf8', nameStart, nameEnd);
    this.ids.push(id);
    this.keyBytes.push(Buffer.concat([buf.subarray(idStart, idEnd), buf.subarray(nameStart, nameEnd)]));
    this.idLength.push(idEnd - idStart);
    this.hashes.push(hash);
    let nameIndex = this.nameIndex.get(name);
    if (nameIndex === undefined) {
      nameIndex = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, nameIndex);
    }
    this.nameOf.push(nameIndex);
    this.slots[slot] = chain;
    if (this.ids.length * 2 > this.slots.length) this.rehash();
    return chain;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let chain = 0; chain < this.hashes.length; chain++) {
      let slot = this.hashes[chain]! & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = chain;
    }
    this.slots = slots;
  }
}

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;
/** Digits that always fit a double exactly (10^15 < 2^53). */
const SAFE_DIGITS = 15;

const isBlank = (byte: number | undefined): boolean => byte === SPACE || byte === TAB;

type CursorState = 'ready' | 'need-data' | 'done';

/**
 * One input stream: buffers chunks, parses the next valid line into its fields. Only `advance` runs per
 * line; it allocates nothing for a well-formed line of a known chain.
 */
class FwctlCursor {
  state: CursorState = 'need-data';
  /** Fields of the current line (valid when state is 'ready'). */
  time = 0;
  chain = 0;
  packets: Counter = 0;
  bytes: Counter = 0;
  line = 0;

  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  /** Inside a line too long to keep: dropping bytes up to the next LF. */
  private discarding = false;
  private lastTime = -Infinity;
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(
    readonly file: string,
    private readonly stream: Readable,
    private readonly chains: FwctlChains,
    private readonly reader: FwctlReader,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async fill(): Promise<void> {
    let next: IteratorResult<Buffer>;
    try {
      next = await this.chunks.next();
    } catch (error) {
      throw fromFsError(error, this.file);
    }
    const rest = this.buf.subarray(this.pos);
    if (next.done) {
      this.eof = true;
      this.buf = rest;
    } else {
      this.buf = rest.length === 0 ? next.value : Buffer.concat([rest, next.value]);
    }
    this.pos = 0;
    this.advance();
  }

  /** Parses lines until one is valid ('ready'), the buffer holds no whole line ('need-data') or input ends. */
  advance(): void {
    const buf = this.buf;
    for (;;) {
      const start = this.pos;
      if (start >= buf.length) {
        this.state = this.eof ? 'done' : 'need-data';
        return;
      }
      let end = buf.indexOf(LF, start);
      if (this.discarding) {
        this.pos = end === -1 ? buf.length : end + 1;
        this.discarding = end === -1;
        continue;
      }
      if (end === -1 && buf.length - start > FWCTL_DEFAULTS.maxLineBytes) {
        this.pos = buf.length;
        this.discarding = true;
        this.line++;
        this.reader.counters.read++;
        this.reader.badLine(
          FWCTL_SKIP_REASONS.tooLong,
          `a line of more than ${FWCTL_DEFAULTS.maxLineBytes} bytes (not an fwctl accounting file?)`,
          { file: this.file, line: this.line },
        );
        continue;
      }
      if (end === -1) {
        if (!this.eof) {
          this.state = 'need-data';
          return;
        }
        // fwctl appends whole lines under a lock: a last line without LF is a write that was cut short.
        this.pos = buf.length;
        this.line++;
        this.reader.counters.read++;
        this.reader.badLine(FWCTL_SKIP_REASONS.truncated, 'the last line has no newline (truncated write?)', {
          file: this.file,
          line: this.line,
        });
        continue;
      }
      this.pos = end + 1;
      this.line++;
      if (end > start && buf[end - 1] === CR) end--;
      if (this.parse(buf, start, end)) {
        this.state = 'ready';
        return;
      }
    }
  }

  /** Parses `buf[start, end)` into the cursor's fields; false (after reporting) for a bad line. */
  private parse(buf: Buffer, start: number, end: number): boolean {
    this.reader.counters.read++;
    let i = start;
    while (i < end && isBlank(buf[i])) i++;

    // Field 0: the epoch timestamp (digits that fit a double exactly).
    const timeStart = i;
    const time = this.counter(buf, i, end);
    if (typeof time !== 'number') return this.reject(buf, start, end, 'time', timeStart);
    i = this.counterEnd;
    while (i < end && isBlank(buf[i])) i++;

    // Field 1: the chain id (acct0000). FNV-1a over id and name finds the interned chain.
    const idStart = i;
    let hash = 0x811c9dc5;
    while (i < end && !isBlank(buf[i])) {
      hash = Math.imul(hash ^ buf[i]!, 0x01000193);
      i++;
    }
    const idEnd = i;
    while (i < end && isBlank(buf[i])) i++;

    // Fields 2 and 3: packets and bytes.
    const packetsStart = i;
    const packets = this.counter(buf, i, end);
    if (packets === undefined) return this.reject(buf, start, end, 'packets', packetsStart);
    i = this.counterEnd;
    while (i < end && isBlank(buf[i])) i++;
    const bytesStart = i;
    const bytes = this.counter(buf, i, end);
    if (bytes === undefined) return this.reject(buf, start, end, 'bytes', bytesStart);
    i = this.counterEnd;
    while (i < end && isBlank(buf[i])) i++;

    // Field 4: the name, optional (a rule without --name writes "<bytes> ").
    const nameStart = i;
    hash = Math.imul(hash ^ SPACE, 0x01000193);
    while (i < end && !isBlank(buf[i])) {
      hash = Math.imul(hash ^ buf[i]!, 0x01000193);
      i++;
    }
    const nameEnd = i;
    while (i < end && isBlank(buf[i])) i++;
    if (i < end) return this.reject(buf, start, end, 'name', nameStart);

    if (time < this.lastTime) {
      return this.bad(FWCTL_SKIP_REASONS.backwards, `time goes backwards: ${time} after ${this.lastTime}`);
    }
    this.lastTime = time;
    this.time = time;
    this.packets = packets;
    this.bytes = bytes;
    this.chain = this.chains.intern(buf, idStart, idEnd, nameStart, nameEnd, hash);
    return true;
  }

  /** Where the last counter ended (set by `counter`, so its return value stays a plain Counter). */
  private counterEnd = 0;

  /** A whole number ending at a blank or the line end, or undefined. */
  private counter(buf: Buffer, start: number, end: number): Counter | undefined {
    let i = start;
    let value = 0;
    while (i < end) {
      const byte = buf[i]!;
      if (byte < ZERO || byte > NINE) break;
      value = value * 10 + (byte - ZERO);
      i++;
    }
    this.counterEnd = i;
    if (i === start || (i < end && !isBlank(buf[i]))) return undefined;
    return i - start <= SAFE_DIGITS ? value : toCounter(BigInt(buf.toString('latin1', start, i)));
  }

  /** Classifies a line that failed to parse at `field` (which starts at `at`). The rare path: may allocate. */
  private reject(
    buf: Buffer,
    start: number,
    end: number,
    field: 'time' | 'packets' | 'bytes' | 'name',
    at: number,
  ): false {
    const fields = countFields(buf, start, end);
    if (fields < 4) {
      return this.bad(
        FWCTL_SKIP_REASONS.missingFields,
        `expected '<epoch> <chain> <packets> <bytes> [<name>]', got ${fields} field${fields === 1 ? '' : 's'}`,
      );
    }
    const text = fieldAt(buf, at, end);
    switch (field) {
      case 'time':
        return this.bad(FWCTL_SKIP_REASONS.badTimestamp, `expected an epoch timestamp, got '${text}'`);
      case 'name':
        return this.bad(
          FWCTL_SKIP_REASONS.extraFields,
          `expected '<epoch> <chain> <packets> <bytes> [<name>]', got ${fields} fields (a name with spaces?)`,
        );
      default:
        if (buf[at] === MINUS && /^-\d+$/.test(text)) {
          return this.bad(
            FWCTL_SKIP_REASONS.negative,
            `${field}: expected a count, got the negative number '${text}'`,
          );
        }
        return this.bad(FWCTL_SKIP_REASONS.nonNumeric, `${field}: expected a whole number, got '${text}'`);
    }
  }

  private bad(reason: FwctlSkipReason, message: string): false {
    this.reader.badLine(reason, message, { file: this.file, line: this.line });
    return false;
  }

  /** Stops reading a file (standard input is left open: it is not ours to close). */
  close(): void {
    if (this.file !== FWCTL_DEFAULTS.stdinName) this.stream.destroy();
  }
}

function fieldAt(buf: Buffer, start: number, end: number): string {
  let i = start;
  while (i < end && !isBlank(buf[i])) i++;
  return buf.toString('utf8', start, i);
}

function countFields(buf: Buffer, start: number, end: number): number {
  let fields = 0;
  let inField = false;
  for (let i = start; i < end; i++) {
    const blank = isBlank(buf[i]);
    if (!blank && !inField) fields++;
    inField = !blank;
  }
  return fields;
}

function toCounter(value: bigint): Counter {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/**
 * Reads fwctl accounting files (or standard input) as one time-ordered stream of dumps.
 *
 * @example
 * const reader = await FwctlReader.open(['fwctl_acct.1', 'fwctl_acct']);
 * await reader.forEach((time, previous, chain, name, packets, bytes) => { ... });
 * console.log(reader.counters.skipped);
 */
export class FwctlReader {
  readonly chains = new FwctlChains();
  readonly counters: SourceCounters = newSourceCounters();
  private readonly cursors: FwctlCursor[];
  /** Time of the last dump of each chain (NaN before its first). */
  private previous = new Float64Array(64).fill(Number.NaN);

  private constructor(
    inputs: Array<{ file: string; stream: Readable }>,
    private readonly options: FwctlReadOptions,
  ) {
    this.cursors = inputs.map(({ file, stream }) => new FwctlCursor(file, stream, this.chains, this));
  }

  /** Opens every input first, so a missing file fails before any output. `-` or no path is stdin. */
  static async open(paths: readonly string[], options: FwctlReadOptions = {}): Promise<FwctlReader> {
    const chunkSize = options.chunkSize ?? FWCTL_DEFAULTS.chunkSize;
    const list = paths.length === 0 ? ['-'] : paths;
    if (list.filter((path) => path === '-').length > 1) {
      throw new UsageError('standard input (-) can be read only once');
    }
    const inputs: Array<{ file: string; stream: Readable }> = [];
    try {
      for (const path of list) {
        if (path === '-') {
          inputs.push({ file: FWCTL_DEFAULTS.stdinName, stream: options.stdin ?? process.stdin });
          continue;
        }
        let handle;
        try {
          handle = await open(path, 'r');
          if ((await handle.stat()).isDirectory())
            throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
        } catch (error) {
          await handle?.close();
          throw fromFsError(error, path);
        }
        inputs.push({
          file: path,
          stream: handle.createReadStream({
            highWaterMark: chunkSize,
            start: options.fromOffset ?? 0,
            ...(options.toOffset === undefined ? {} : { end: options.toOffset - 1 }),
          }),
        });
      }
    } catch (error) {
      for (const input of inputs) if (input.file !== FWCTL_DEFAULTS.stdinName) input.stream.destroy();
      throw error;
    }
    return new FwctlReader(inputs, options);
  }

  /** Reports a bad line: a ParseError in strict mode, else counted and passed to `onBadLine`. */
  badLine(reason: FwctlSkipReason, message: string, position: Position): void {
    if (this.options.strict) throw new ParseError(message, position);
    countSkipped(this.counters, reason);
    this.options.onBadLine?.(reason, message, position);
  }

  /** Visits every dump in time order (ties: file order), then closes the inputs. */
  async forEach(visit: FwctlVisitor): Promise<void> {
    try {
      for (;;) {
        const pending = this.pump(visit);
        if (pending.length === 0) return;
        await Promise.all(pending.map((cursor) => cursor.fill()));
      }
    } finally {
      this.close();
    }
  }

  /** The dumps as common records (name = chain name; start = previous dump of the chain, or the dump time). */
  async *records(): AsyncGenerator<TrafficRecord> {
    const batch: TrafficRecord[] = [];
    const collect: FwctlVisitor = (time, previous, chain, name, packets, bytes) => {
      batch.push({
        start: Number.isNaN(previous) ? time : previous,
        end: time,
        packets,
        bytes,
        name: this.chains.names[name]!,
        extra: { chain: this.chains.ids[chain]! },
      });
    };
    try {
      for (;;) {
        const pending = this.pump(collect);
        yield* batch;
        batch.length = 0;
        if (pending.length === 0) return;
        await Promise.all(pending.map((cursor) => cursor.fill()));
      }
    } finally {
      this.close();
    }
  }

  close(): void {
    for (const cursor of this.cursors) cursor.close();
  }

  /**
   * Emits dumps while every live stream has a parsed line at hand; returns the streams that need more
   * data (empty when all are done).
   */
  private pump(visit: FwctlVisitor): FwctlCursor[] {
    const cursors = this.cursors;
    for (;;) {
      let next: FwctlCursor | undefined;
      for (const cursor of cursors) {
        if (cursor.state === 'done') continue;
        if (cursor.state === 'need-data') return cursors.filter((c) => c.state === 'need-data');
        if (next === undefined || cursor.time < next.time) next = cursor;
      }
      if (next === undefined) return [];
      if (cursors.length === 1) this.drain(next, visit);
      else {
        this.emit(next, visit);
        next.advance();
      }
    }
  }

  /** The single-stream fast path: no merge selection per line. */
  private drain(cursor: FwctlCursor, visit: FwctlVisitor): void {
    while (cursor.state === 'ready') {
      this.emit(cursor, visit);
      cursor.advance();
    }
  }

  private emit(cursor: FwctlCursor, visit: FwctlVisitor): void {
    const chain = cursor.chain;
    if (chain >= this.previous.length) {
      const grown = new Float64Array(this.previous.length * 2).fill(Number.NaN);
      grown.set(this.previous);
      this.previous = grown;
    }
    const previous = this.previous[chain]!;
    const time = cursor.time;
    if (time === previous) {
      this.badLine(
        FWCTL_SKIP_REASONS.duplicate,
        `chain ${this.chains.ids[chain]} (${this.chains.names[this.chains.nameOf[chain]!]}) was already dumped at ${time} (the same data read twice?)`,
        { file: cursor.file, line: cursor.line },
      );
      return;
    }
    this.previous[chain] = time;
    this.counters.decoded++;
    visit(time, previous, chain, this.chains.nameOf[chain]!, cursor.packets, cursor.bytes);
  }
}

/**
 * The dumps of fwctl files as common {@link TrafficRecord}s, in time order, for `netledger ingest`.
 * `name` is the chain's name, `extra.chain` its id; `start` is the previous dump of that chain (for a
 * chain's first dump, where the interval is unknown, `start` equals `end`).
 *
 * @example
 * for await (const record of readFwctlRecords(['/var/log/fwctl_acct'])) console.log(record.name, record.bytes);
 */
export async function* readFwctlRecords(
  paths: readonly string[],
  options: FwctlReadOptions = {},
): AsyncGenerator<TrafficRecord> {
  const reader = await FwctlReader.open(paths, options);
  yield* reader.records();
}
