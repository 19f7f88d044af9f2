/**
 * tstat log rows → the JSON objects of tstat_transport 0.6.5, byte for byte (formats.md section 3).
 *
 * Each row gives 0, 1 or 2 objects: client→server (`c_` columns) first, then server→client (`s_`), each
 * kept iff `num_bits >= threshold * 8,000,000`. Values are cast as the original casts them: `int(text)`,
 * else `round(float(text), 3)`, else the text itself; a missing column is `None` (JSON `null`). Arithmetic
 * on a value that is not a number makes Python raise TypeError, and the original then drops that
 * direction with a warning: so do we, counting it. Objects are rendered as `json.dumps(list, indent=4)`
 * renders them inside the slice array (Python float repr, `ensure_ascii`), as bytes straight from the
 * row's bytes into the slice (`JsonSliceWriter`): the constant text between values is copied, digits are
 * copied, and only the values tstat does not write in its usual shapes go through strings.
 */
import type { TstatColumns, TstatProtocol, TstatRowView } from '../sources/tstat.js';
import type { JsonObjectWriter } from './json-slices.js';
import {
  FLOAT,
  INT,
  PyCell,
  STR,
  castField,
  truncatedThousandths,
  writeAddressField,
  writeCastField,
  writeCell,
  writeInt,
  writeRoundedValue,
} from './python-bytes.js';
import type { PyInt } from './python-json.js';
import { pyIntRepr, pyJsonString, pyRound } from './python-json.js';

/** Defaults of tstat_send 0.6.5. */
export const TSTAT_JSON_DEFAULTS = {
  /** `--threshold`, decimal megabytes. */
  thresholdMB: 1000,
  /** `interval` of every object. */
  interval: 600,
  /** Objects per message (`SLICE_SIZE`). */
  sliceSize: 100,
} as const;

export interface TstatJsonOptions {
  /** `--threshold` in MB: keep a direction when num_bits ≥ thresholdMB × 8,000,000. */
  thresholdMB: number;
  /** `meta.sensor_id`: `--sensor`, else the host name. */
  sensorId: string;
  /** `meta.instance_id`: the `--instance` text as given, else the integer 0. */
  instanceId: string | number;
}

/** Why a direction of a row produced no object although it passed the length check. */
export type TstatSkipReason = 'non-numeric value' | 'non-numeric bytes' | 'time out of range';

/** Python raised TypeError: the original drops the direction (`capsule_factory`). */
class PyTypeError extends Error {}
/** Python would have crashed outside the original's try block; we drop the direction instead. */
class PyCrash extends Error {
  constructor(readonly reason: TstatSkipReason) {
    super(reason);
  }
}

/** `float(x)` of an int or float, for arithmetic; anything else makes Python raise TypeError. */
function toNumber(value: PyCell): number {
  if (value.kind === INT || value.kind === FLOAT) return value.num;
  throw new PyTypeError();
}

/** `bytes * 8` into `bits`: an int stays an exact int, a float stays a float. */
function timesEight(value: PyCell, bits: PyCell): void {
  if (value.kind === INT) {
    const big = value.big;
    if (big === undefined && Math.abs(value.num) <= Number.MAX_SAFE_INTEGER / 8)
      return bits.setInt(value.num * 8);
    return bits.setInt(BigInt(big ?? value.num) * 8n);
  }
  if (value.kind === FLOAT) return bits.setFloat(value.num * 8);
  // `str * 8` repeats the text and `None * 8` raises TypeError; with a non-zero duration both end in a
  // TypeError, with a zero one the original crashes on the threshold comparison. Either way: no object.
  throw new PyCrash('non-numeric bytes');
}

/** `x != 0` for any cast value (None and text are never 0). */
function isNonZero(value: PyCell): boolean {
  if (value.kind === INT || value.kind === FLOAT) return value.num !== 0;
  return true;
}

/** `int(x)` of a float: truncation; inf and nan made the original crash. */
function truncate(x: number): PyInt {
  if (!Number.isFinite(x)) throw new PyCrash('time out of range');
  const whole = Math.trunc(x);
  return Number.isSafeInteger(whole) ? whole : BigInt(whole);
}

/** `a < b` with Python's rules: numbers compare as numbers, texts as texts, anything else raises. */
function lessThan(a: PyCell, b: PyCell): boolean {
  if ((a.kind === INT || a.kind === FLOAT) && (b.kind === INT || b.kind === FLOAT)) {
    return (a.big ?? a.num) < (b.big ?? b.num);
  }
  if (a.kind === STR && b.kind === STR) return a.text < b.text;
  throw new PyTypeError();
}

/** A rate of a zero duration: the original's int 0 (not 0.0). */
const ZERO_RATE = Symbol('int 0');

/** `round(numerator / seconds, 2)` if duration != 0 else int 0: the original's rate properties. */
function rate(numerator: PyCell, durationMs: PyCell, seconds: number): number | typeof ZERO_RATE {
  if (!isNonZero(durationMs)) return ZERO_RATE;
  return pyRound(toNumber(numerator) / seconds, 2);
}

/** TCP value keys after the five common ones, with their source column (per direction). */
const TCP_EXTRAS: ReadonlyArray<readonly [string, string]> = [
  ['tcp_rexmit_bytes', 'bytes_retx'],
  ['tcp_rexmit_pkts', 'pkts_retx'],
  ['tcp_rtt_avg', 'rtt_avg'],
  ['tcp_rtt_min', 'rtt_min'],
  ['tcp_rtt_max', 'rtt_max'],
  ['tcp_rtt_std', 'rtt_std'],
  ['tcp_pkts_rto', 'pkts_rto'],
  ['tcp_pkts_fs', 'pkts_fs'],
  ['tcp_pkts_reor', 'pkts_reor'],
  ['tcp_pkts_dup', 'pkts_dup'],
  ['tcp_pkts_unk', 'pkts_unk'],
  ['tcp_pkts_fc', 'pkts_fc'],
  ['tcp_pkts_unrto', 'pkts_unrto'],
  ['tcp_pkts_unfs', 'pkts_unfs'],
  ['tcp_cwin_min', 'cwin_min'],
  ['tcp_cwin_max', 'cwin_max'],
  ['tcp_out_seq_pkts', 'pkts_ooo'],
  ['tcp_window_scale', 'win_scl'],
  // tcp_mss (min of c_mss and s_mss) goes here
  ['tcp_max_seg_size', 'mss_max'],
  ['tcp_min_seg_size', 'mss_min'],
  // The original fills tcp_win_max/min from the cwin columns, not from win_max/win_min.
  ['tcp_win_max', 'cwin_max'],
  ['tcp_win_min', 'cwin_min'],
  ['tcp_initial_cwin', 'cwin_ini'],
  // tcp_sack_cnt (max of c_sack_cnt and s_sack_cnt) goes last
];
const TCP_MSS_POSITION = 18;

const I1 = '    ';
const I2 = '        ';
const I3 = '            ';

/** The constant text of an object, between its values: precomputed bytes, copied as they are. */
const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const key = (name: string): Buffer => ascii(`,\n${I3}"${name}": `);
const TEXT = {
  head: ascii(`${I1}{\n${I2}"type": "flow",\n${I2}"interval": 600,\n${I2}"values": {\n${I3}"duration": `),
  numBits: key('num_bits'),
  numPackets: key('num_packets'),
  bitsPerSecond: key('bits_per_second'),
  packetsPerSecond: key('packets_per_second'),
  tcpExtras: TCP_EXTRAS.map(([name]) => key(name)),
  tcpExtrasWithDigit: TCP_EXTRAS.map(([name]) =>
    Array.from({ length: 10 }, (_, digit) => ascii(`,\n${I3}"${name}": ${digit}`)),
  ),
  tcpMss: key('tcp_mss'),
  tcpSackCnt: key('tcp_sack_cnt'),
  srcIp: ascii(`\n${I2}},\n${I2}"meta": {\n${I3}"src_ip": `),
  srcPort: key('src_port'),
  dstIp: key('dst_ip'),
  dstPort: key('dst_port'),
  end: ascii(`,\n${I2}"end": `),
  tail: ascii(`\n${I1}}`),
  intZero: ascii('0'),
};

/** All the constant text of an object, an upper bound. */
const TEXT_BYTES = Object.values(TEXT)
  .flat(2)
  .reduce((sum, text) => sum + text.length, 0);

const ZERO = 0x30;

/** Copies a constant (a native copy: several times faster than a byte loop at these lengths). */
function put(out: Buffer, pos: number, text: Buffer): number {
  out.set(text, pos);
  return pos + text.length;
}

/**
 * Copies a constant of 8 to 48 ASCII bytes with 8-byte DataView stores (inlined; `set` is a call). The
 * words go through float64 stores, which keep their bits: ASCII text is never a NaN pattern (that needs a
 * byte of 0xf0 or more), the only doubles whose bits a copy may change. The last word ends at the text's
 * end, overlapping the one before.
 */
function putWords(view: DataView<ArrayBufferLike>, pos: number, words: Float64Array, length: number): number {
  const last = words.length - 1;
  for (let i = 0; i < last; i++) view.setFloat64(pos + 8 * i, words[i] as number, true);
  view.setFloat64(pos + length - 8, words[last] as number, true);
  return pos + length;
}

const wordsOf = (text: Buffer): Float64Array =>
  Float64Array.from({ length: Math.ceil(text.length / 8) }, (_, i) =>
    text.readDoubleLE(Math.min(8 * i, text.length - 8)),
  );
const TCP_EXTRA_WORDS = TEXT.tcpExtras.map(wordsOf);
const TCP_EXTRA_DIGIT_WORDS = TEXT.tcpExtrasWithDigit.map((pieces) => pieces.map(wordsOf));

/** Writes a rate: `repr(float)`, or the int 0 of a zero duration. */
function putRate(out: Buffer, pos: number, value: number | typeof ZERO_RATE): number {
  return value === ZERO_RATE ? put(out, pos, TEXT.intZero) : writeRoundedValue(out, pos, value, 2);
}

/** The columns one direction reads, as field indexes of the bound log (-1: the log lacks it). */
interface DirectionColumns {
  /** TCP bytes_uniq / UDP bytes_all. */
  bytes: number;
  /** TCP pkts_data / UDP pkts_all. */
  packets: number;
  /** TCP durat (shared) / UDP c_durat or s_durat. */
  durat: number;
  /** TCP first (shared) / UDP c_first_abs or s_first_abs. */
  first: number;
  /** TCP last (shared); UDP: unused. */
  last: number;
  srcIp: number;
  srcPort: number;
  dstIp: number;
  dstPort: number;
  /** TCP_EXTRAS with this direction's prefix. */
  extras: Int32Array;
}

function directionColumns(
  protocol: TstatProtocol,
  columns: TstatColumns,
  own: 'c_' | 's_',
  other: 'c_' | 's_',
): DirectionColumns {
  const index = (name: string): number => columns.get(name) ?? -1;
  const tcp = protocol === 'tcp';
  return {
    bytes: index(tcp ? `${own}bytes_uniq` : `${own}bytes_all`),
    packets: index(tcp ? `${own}pkts_data` : `${own}pkts_all`),
    durat: index(tcp ? 'durat' : `${own}durat`),
    first: index(tcp ? 'first' : `${own}first_abs`),
    last: tcp ? index('last') : -1,
    srcIp: index(`${own}ip`),
    srcPort: index(`${own}port`),
    dstIp: index(`${other}ip`),
    dstPort: index(`${other}port`),
    extras: Int32Array.from(TCP_EXTRAS, ([, column]) => index(`${own}${column}`)),
  };
}

/**
 * Renders rows of one log into JSON objects, as bytes, into a `JsonSliceWriter` (or a `JsonObjectBuffer`
 * on a worker thread). Bind the log's protocol
 * and columns first (`bind`), then `render` each row.
 */
export class TstatJsonRenderer {
  private readonly thresholdBits: number | bigint;
  private readonly metaTail: Record<TstatProtocol, Buffer>;
  /** Directions dropped because a value was not a number, by reason. */
  readonly skipped: Record<string, number> = {};
  /** Why directions of the last row rendered were dropped (empty when none was). */
  readonly dropped: TstatSkipReason[] = [];

  private protocol: TstatProtocol = 'tcp';
  private directions: [DirectionColumns, DirectionColumns] | undefined;
  private mss: [number, number] = [-1, -1];
  private sack: [number, number] = [-1, -1];
  /** Bytes a row's object can take beyond six times its line (constant text, numbers). */
  private objectOverhead = 0;

  // Values of the direction being rendered, cast without allocating.
  private readonly bytes = new PyCell();
  private readonly bits = new PyCell();
  private readonly durationMs = new PyCell();
  private readonly packets = new PyCell();
  private readonly clientMss = new PyCell();
  private readonly serverMss = new PyCell();
  private readonly clientSack = new PyCell();
  private readonly serverSack = new PyCell();
  private readonly time = new PyCell();
  /** Rows rendered, and the one whose row-wide values (TCP durat, mss, sack_cnt) are cast. */
  private rows = 0;
  private rowCast = -1;
  /** The TCP row's start and end when read on the fast path, else NaN. */
  private rowStart = NaN;
  private rowEnd = NaN;

  constructor(options: TstatJsonOptions) {
    const bits = options.thresholdMB * 8_000_000;
    this.thresholdBits = Number.isSafeInteger(bits) ? bits : BigInt(options.thresholdMB) * 8_000_000n;
    const instance =
      typeof options.instanceId === 'number'
        ? pyIntRepr(options.instanceId)
        : pyJsonString(options.instanceId);
    const metaTail = (protocol: TstatProtocol): Buffer =>
      ascii(
        `,\n${I3}"protocol": "${protocol}",\n` +
          `${I3}"sensor_id": ${pyJsonString(options.sensorId)},\n` +
          `${I3}"instance_id": ${instance},\n` +
          `${I3}"flow_type": "tstat"\n${I2}},\n${I2}"start": `,
      );
    this.metaTail = { tcp: metaTail('tcp'), udp: metaTail('udp') };
  }

  /** Binds the log the next rows come from. */
  bind(protocol: TstatProtocol, columns: TstatColumns): void {
    this.protocol = protocol;
    this.directions = [
      directionColumns(protocol, columns, 'c_', 's_'),
      directionColumns(protocol, columns, 's_', 'c_'),
    ];
    const index = (name: string): number => columns.get(name) ?? -1;
    this.mss = [index('c_mss'), index('s_mss')];
    this.sack = [index('c_sack_cnt'), index('s_sack_cnt')];
    this.objectOverhead = TEXT_BYTES + this.metaTail[protocol].length + 64 * 40;
  }

  /**
   * Appends the 0, 1 or 2 objects of `row` to `out`; `dropped` then says why directions were dropped (so
   * the caller can warn with the file and line).
   */
  render(row: TstatRowView, out: JsonObjectWriter): void {
    this.rows++;
    const directions = this.directions;
    if (directions === undefined) throw new Error('TstatJsonRenderer.render before bind');
    if (this.dropped.length > 0) this.dropped.length = 0;
    const tcp = this.protocol === 'tcp';
    for (let d = 0; d < 2; d++) {
      try {
        if (tcp) this.tcpObject(row, directions[d] as DirectionColumns, out);
        else this.udpObject(row, directions[d] as DirectionColumns, out);
      } catch (error) {
        const reason = error instanceof PyCrash ? error.reason : 'non-numeric value';
        if (!(error instanceof PyCrash) && !(error instanceof PyTypeError)) throw error;
        this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
        this.dropped.push(reason);
      }
    }
  }

  /** Casts field `index` of the row (-1: missing, None) into `cell`. */
  private cast(row: TstatRowView, index: number, cell: PyCell): void {
    if (index < 0) return castField(row.bytes, -1, -1, cell);
    const start = row.base + (index === 0 ? 0 : (row.ends[index - 1] as number) + 1);
    castField(row.bytes, start, row.base + (row.ends[index] as number), cell);
  }

  /** `int(cast(field) / 1000)`: the start and end times. */
  private seconds(row: TstatRowView, index: number): PyInt {
    const fast = this.fastSeconds(row, index);
    if (fast === fast) return fast;
    this.cast(row, index, this.time);
    return truncate(toNumber(this.time) / 1000);
  }

  /** `seconds` when the digits decide it without the exact path, else NaN. */
  private fastSeconds(row: TstatRowView, index: number): number {
    if (index < 0) return NaN;
    const start = row.base + (index === 0 ? 0 : (row.ends[index - 1] as number) + 1);
    return truncatedThousandths(row.bytes, start, row.base + (row.ends[index] as number)) + 0; // + 0: no -0
  }

  /** num_bits and the threshold test; false: the direction is below the threshold. */
  private keeps(row: TstatRowView, direction: DirectionColumns): boolean {
    this.cast(row, direction.bytes, this.bytes);
    timesEight(this.bytes, this.bits);
    return (this.bits.big ?? this.bits.num) >= this.thresholdBits;
  }

  private udpObject(row: TstatRowView, direction: DirectionColumns, out: JsonObjectWriter): void {
    // Below the threshold nothing is rendered (the original renders first, with the same result).
    if (!this.keeps(row, direction)) return;
    // Everything that can fail is computed before anything is written, in the original's order.
    this.cast(row, direction.durat, this.durationMs);
    this.cast(row, direction.packets, this.packets);
    const seconds = toNumber(this.durationMs) / 1000;
    const duration = pyRound(seconds, 2);
    const bitsPerSecond = rate(this.bits, this.durationMs, seconds);
    const packetsPerSecond = rate(this.packets, this.durationMs, seconds);
    const start = this.seconds(row, direction.first);
    const end = truncate(Number(start) + duration);

    out.beginObject(this.objectOverhead + 12 * (row.ends[row.width - 1] as number));
    const bytes = out.out;
    let pos = this.values(row, direction, bytes, out.pos, duration, bitsPerSecond, packetsPerSecond);
    pos = this.meta(row, direction, bytes, pos, start, end);
    out.endObject(pos);
  }

  private tcpObject(row: TstatRowView, direction: DirectionColumns, out: JsonObjectWriter): void {
    if (!this.keeps(row, direction)) return;
    // durat, mss, sack_cnt, first and last are the row's, not the direction's: read once for both.
    if (this.rowCast !== this.rows) {
      this.rowCast = this.rows;
      this.cast(row, direction.durat, this.durationMs);
      this.cast(row, this.mss[0], this.clientMss);
      this.cast(row, this.mss[1], this.serverMss);
      this.cast(row, this.sack[0], this.clientSack);
      this.cast(row, this.sack[1], this.serverSack);
      this.rowStart = this.fastSeconds(row, direction.first);
      this.rowEnd = this.fastSeconds(row, direction.last);
    }
    this.cast(row, direction.packets, this.packets);
    const seconds = toNumber(this.durationMs) / 1000;
    const duration = pyRound(seconds, 2);
    const bitsPerSecond = rate(this.bits, this.durationMs, seconds);
    const packetsPerSecond = rate(this.packets, this.durationMs, seconds);
    const mss = lessThan(this.clientMss, this.serverMss) ? this.clientMss : this.serverMss;
    const sack = lessThan(this.serverSack, this.clientSack) ? this.clientSack : this.serverSack;
    // NaN: the exact path, which may raise, in its place in the original's order.
    const start = this.rowStart === this.rowStart ? this.rowStart : this.seconds(row, direction.first);
    const end = this.rowEnd === this.rowEnd ? this.rowEnd : this.seconds(row, direction.last);

    out.beginObject(this.objectOverhead + 12 * (row.ends[row.width - 1] as number));
    const bytes = out.out;
    let pos = this.values(row, direction, bytes, out.pos, duration, bitsPerSecond, packetsPerSecond);
    const extras = direction.extras;
    const view = this.viewOf(bytes);
    const source = row.bytes;
    const base = row.base;
    const ends = row.ends;
    for (let i = 0; i < extras.length; i++) {
      if (i === TCP_MSS_POSITION) {
        pos = put(bytes, pos, TEXT.tcpMss);
        pos = writeCell(bytes, pos, mss);
      }
      const index = extras[i] as number;
      if (index < 0) {
        pos = put(bytes, pos, TEXT.tcpExtras[i] as Buffer);
        pos = writeCastField(bytes, pos, source, -1, -1);
        continue;
      }
      const start = base + (index === 0 ? 0 : (ends[index - 1] as number) + 1);
      const end = base + (ends[index] as number);
      const digit = (source[start] as number) - ZERO;
      if (end - start === 1 && digit >= 0 && digit <= 9) {
        // Most TCP counters are a single digit (0 above all): key and value are one precomputed piece.
        const piece = (TEXT.tcpExtrasWithDigit[i] as Buffer[])[digit] as Buffer;
        pos = putWords(
          view,
          pos,
          (TCP_EXTRA_DIGIT_WORDS[i] as Float64Array[])[digit] as Float64Array,
          piece.length,
        );
      } else {
        pos = putWords(view, pos, TCP_EXTRA_WORDS[i] as Float64Array, (TEXT.tcpExtras[i] as Buffer).length);
        pos = writeCastField(bytes, pos, source, start, end);
      }
    }
    pos = put(bytes, pos, TEXT.tcpSackCnt);
    pos = writeCell(bytes, pos, sack);
    pos = this.meta(row, direction, bytes, pos, start, end);
    out.endObject(pos);
  }

  /** From the object's start to the last common value (the TCP extras follow). */
  private values(
    row: TstatRowView,
    direction: DirectionColumns,
    bytes: Buffer,
    pos: number,
    duration: number,
    bitsPerSecond: number | typeof ZERO_RATE,
    packetsPerSecond: number | typeof ZERO_RATE,
  ): number {
    pos = put(bytes, pos, TEXT.head);
    pos = writeRoundedValue(bytes, pos, duration, 2);
    pos = put(bytes, pos, TEXT.numBits);
    pos = writeCell(bytes, pos, this.bits);
    pos = put(bytes, pos, TEXT.numPackets);
    pos = this.passThrough(row, direction.packets, bytes, pos);
    pos = put(bytes, pos, TEXT.bitsPerSecond);
    pos = putRate(bytes, pos, bitsPerSecond);
    pos = put(bytes, pos, TEXT.packetsPerSecond);
    return putRate(bytes, pos, packetsPerSecond);
  }

  /** From the end of the values to the object's end. */
  private meta(
    row: TstatRowView,
    direction: DirectionColumns,
    bytes: Buffer,
    pos: number,
    start: PyInt,
    end: PyInt,
  ): number {
    pos = put(bytes, pos, TEXT.srcIp);
    pos = this.address(row, direction.srcIp, bytes, pos);
    pos = put(bytes, pos, TEXT.srcPort);
    pos = this.passThrough(row, direction.srcPort, bytes, pos);
    pos = put(bytes, pos, TEXT.dstIp);
    pos = this.address(row, direction.dstIp, bytes, pos);
    pos = put(bytes, pos, TEXT.dstPort);
    pos = this.passThrough(row, direction.dstPort, bytes, pos);
    pos = put(bytes, pos, this.metaTail[this.protocol]);
    pos = writeInt(bytes, pos, start);
    pos = put(bytes, pos, TEXT.end);
    pos = writeInt(bytes, pos, end);
    return put(bytes, pos, TEXT.tail);
  }

  /** `passThrough` of an address column (an IPv4 address in one pass). */
  private address(row: TstatRowView, index: number, bytes: Buffer, pos: number): number {
    if (index < 0) return writeCastField(bytes, pos, row.bytes, -1, -1);
    const start = row.base + (index === 0 ? 0 : (row.ends[index - 1] as number) + 1);
    return writeAddressField(bytes, pos, row.bytes, start, row.base + (row.ends[index] as number));
  }

  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private viewOf(bytes: Buffer): DataView<ArrayBufferLike> {
    let view = this.view;
    if (
      view.buffer !== bytes.buffer ||
      view.byteOffset !== bytes.byteOffset ||
      view.byteLength !== bytes.length
    ) {
      view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      this.view = view;
    }
    return view;
  }

  /** Writes field `index` cast and rendered as the original does (-1: missing, null). */
  private passThrough(row: TstatRowView, index: number, bytes: Buffer, pos: number): number {
    if (index < 0) return writeCastField(bytes, pos, row.bytes, -1, -1);
    const start = row.base + (index === 0 ? 0 : (row.ends[index - 1] as number) + 1);
    return writeCastField(bytes, pos, row.bytes, start, row.base + (row.ends[index] as number));
  }
}
