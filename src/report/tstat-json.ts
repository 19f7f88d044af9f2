/**
 * tstat log rows → the JSON objects of tstat_transport 0.6.5, byte for byte (formats.md section 3).
 *
 * Each row gives 0, 1 or 2 objects: client→server (`c_` columns) first, then server→client (`s_`), each
 * kept iff `num_bits >= threshold * 8,000,000`. Values are cast as the original casts them: `int(text)`,
 * else `round(float(text), 3)`, else the text itself; a missing column is `None` (JSON `null`). Arithmetic
 * on a value that is not a number makes Python raise TypeError, and the original then drops that
 * direction with a warning: so do we, counting it. Objects are rendered as `json.dumps(list, indent=4)`
 * renders them inside the slice array (Python float repr, `ensure_ascii`), so a slice is the objects
 * joined by `,\n` between `[\n` and `\n]`.
 */
import type { TstatColumns, TstatProtocol, TstatRow } from '../sources/tstat.js';
import type { PyInt } from './python-json.js';
import { pyFloatRepr, pyIntRepr, pyJsonString, pyParseFloat, pyParseInt, pyRound } from './python-json.js';

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

/** A cast value: Python None, int, float or str. */
type PyValue =
  | { kind: 'none' }
  | { kind: 'int'; value: PyInt }
  | { kind: 'float'; value: number }
  | { kind: 'str'; value: string };

const NONE: PyValue = { kind: 'none' };
const PLAIN_DECIMAL = /^-?\d+\.\d+$/;

/** The original's `_cast_to_numeric`. */
function cast(text: string | undefined): PyValue {
  if (text === undefined) return NONE;
  // tstat's `%f` numbers are the common case: no int() attempt needed.
  if (PLAIN_DECIMAL.test(text)) return { kind: 'float', value: pyRound(Number(text), 3) };
  const integer = pyParseInt(text);
  if (integer !== undefined) return { kind: 'int', value: integer };
  const float = pyParseFloat(text);
  if (float !== undefined) return { kind: 'float', value: pyRound(float, 3) };
  return { kind: 'str', value: text };
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** JSON of a cast value straight from its text (the values passed through unchanged). */
function castJson(text: string | undefined): string {
  if (text === undefined) return 'null';
  // Fast path: plain digits are an int; `String(Number())` drops leading zeros as `str(int())` does.
  if (isDigits(text)) return text.charCodeAt(0) === 48 ? String(Number(text)) : text;
  return valueJson(cast(text));
}

function valueJson(value: PyValue): string {
  switch (value.kind) {
    case 'none':
      return 'null';
    case 'int':
      return pyIntRepr(value.value);
    case 'float':
      return pyFloatRepr(value.value);
    case 'str':
      return pyJsonString(value.value);
  }
}

/** Python raised TypeError: the original drops the direction (`capsule_factory`). */
class PyTypeError extends Error {}
/** Python would have crashed outside the original's try block; we drop the direction instead. */
class PyCrash extends Error {
  constructor(readonly reason: TstatSkipReason) {
    super(reason);
  }
}

function toNumber(value: PyValue): number {
  if (value.kind === 'int') return Number(value.value);
  if (value.kind === 'float') return value.value;
  throw new PyTypeError();
}

/** `x / 1000` (true division, always a float). */
function perThousand(value: PyValue): number {
  return toNumber(value) / 1000;
}

/** `bytes * 8`: an int stays an exact int, a float stays a float. */
function timesEight(value: PyValue): PyValue {
  if (value.kind === 'int') {
    const bits = value.value;
    if (typeof bits === 'number' && Math.abs(bits) <= Number.MAX_SAFE_INTEGER / 8) {
      return { kind: 'int', value: bits * 8 };
    }
    return { kind: 'int', value: BigInt(bits) * 8n };
  }
  if (value.kind === 'float') return { kind: 'float', value: value.value * 8 };
  // `str * 8` repeats the text and `None * 8` raises TypeError; with a non-zero duration both end in a
  // TypeError, with a zero one the original crashes on the threshold comparison. Either way: no object.
  throw new PyCrash('non-numeric bytes');
}

/** `x != 0` for any cast value (None and text are never 0). */
function isNonZero(value: PyValue): boolean {
  if (value.kind === 'int') return value.value !== 0 && value.value !== 0n;
  if (value.kind === 'float') return value.value !== 0;
  return true;
}

/** `int(x)` of a float: truncation; inf and nan made the original crash. */
function truncate(x: number): PyInt {
  if (!Number.isFinite(x)) throw new PyCrash('time out of range');
  const whole = Math.trunc(x);
  return Number.isSafeInteger(whole) ? whole : BigInt(whole);
}

/** `a < b` with Python's rules: numbers compare as numbers, texts as texts, anything else raises. */
function lessThan(a: PyValue, b: PyValue): boolean {
  if ((a.kind === 'int' || a.kind === 'float') && (b.kind === 'int' || b.kind === 'float')) {
    return a.value < b.value;
  }
  if (a.kind === 'str' && b.kind === 'str') return a.value < b.value;
  throw new PyTypeError();
}

/** `round(numerator / seconds, 2)` if duration != 0 else int 0: the original's rate properties. */
function rateJson(numerator: PyValue, durationMs: PyValue): string {
  if (!isNonZero(durationMs)) return '0';
  return pyFloatRepr(pyRound(toNumber(numerator) / perThousand(durationMs), 2));
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

/** The column names one direction reads, built once (a name built per row would be hashed per row). */
function directionColumns(own: 'c_' | 's_', other: 'c_' | 's_') {
  return {
    bytesAll: `${own}bytes_all`,
    bytesUniq: `${own}bytes_uniq`,
    durat: `${own}durat`,
    pktsAll: `${own}pkts_all`,
    pktsData: `${own}pkts_data`,
    firstAbs: `${own}first_abs`,
    srcIp: `${own}ip`,
    srcPort: `${own}port`,
    dstIp: `${other}ip`,
    dstPort: `${other}port`,
    /** TCP_EXTRAS with this direction's prefix: [JSON key, column]. */
    extras: TCP_EXTRAS.map(([key, column]) => [key, `${own}${column}`] as const),
  };
}

/** Client→server (`in`, `c_` columns) first, then server→client (`out`, `s_`). */
const DIRECTIONS = [directionColumns('c_', 's_'), directionColumns('s_', 'c_')] as const;
type Direction = ReturnType<typeof directionColumns>;

const I1 = '    ';
const I2 = '        ';
const I3 = '            ';

/** Renders rows of one log into JSON object texts (indented as array elements of a slice). */
export class TstatJsonRenderer {
  private readonly thresholdBits: number | bigint;
  private readonly metaTail: string;
  /** Directions dropped because a value was not a number, by reason. */
  readonly skipped: Record<string, number> = {};

  /** The row being rendered (set by `render`; avoids a closure per row on the hot path). */
  private columns: TstatColumns = new Map();
  private row: TstatRow | undefined;

  constructor(options: TstatJsonOptions) {
    const bits = options.thresholdMB * 8_000_000;
    this.thresholdBits = Number.isSafeInteger(bits) ? bits : BigInt(options.thresholdMB) * 8_000_000n;
    const instance =
      typeof options.instanceId === 'number'
        ? pyIntRepr(options.instanceId)
        : pyJsonString(options.instanceId);
    this.metaTail =
      `${I3}"sensor_id": ${pyJsonString(options.sensorId)},\n` +
      `${I3}"instance_id": ${instance},\n` +
      `${I3}"flow_type": "tstat"\n`;
  }

  /**
   * Appends the 0, 1 or 2 objects of `row` to `out`. Returns the reasons of dropped directions (empty
   * when none was dropped) so the caller can warn with the file and line.
   */
  render(protocol: TstatProtocol, columns: TstatColumns, row: TstatRow, out: string[]): TstatSkipReason[] {
    const dropped: TstatSkipReason[] = [];
    this.columns = columns;
    this.row = row;
    for (const direction of DIRECTIONS) {
      try {
        const text = protocol === 'tcp' ? this.tcpObject(direction) : this.udpObject(direction);
        if (text !== undefined) out.push(text);
      } catch (error) {
        const reason = error instanceof PyCrash ? error.reason : 'non-numeric value';
        if (!(error instanceof PyCrash) && !(error instanceof PyTypeError)) throw error;
        this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
        dropped.push(reason);
      }
    }
    return dropped;
  }

  private field(name: string): string | undefined {
    const index = this.columns.get(name);
    return index === undefined ? undefined : this.row?.field(index);
  }

  private keeps(numBits: PyValue): boolean {
    if (numBits.kind !== 'int' && numBits.kind !== 'float') throw new PyCrash('non-numeric bytes');
    return numBits.value >= this.thresholdBits;
  }

  private udpObject(direction: Direction): string | undefined {
    const numBits = timesEight(cast(this.field(direction.bytesAll)));
    // Below the threshold nothing is rendered (the original renders first, with the same result).
    if (!this.keeps(numBits)) return undefined;
    const durationMs = cast(this.field(direction.durat));
    const packetsText = this.field(direction.pktsAll);
    const duration = pyRound(perThousand(durationMs), 2);
    const bitsPerSecond = rateJson(numBits, durationMs);
    const packetsPerSecond = rateJson(cast(packetsText), durationMs);
    const start = truncate(perThousand(cast(this.field(direction.firstAbs))));
    const end = truncate(Number(start) + duration);
    const values =
      `${I3}"duration": ${pyFloatRepr(duration)},\n` +
      `${I3}"num_bits": ${valueJson(numBits)},\n` +
      `${I3}"num_packets": ${castJson(packetsText)},\n` +
      `${I3}"bits_per_second": ${bitsPerSecond},\n` +
      `${I3}"packets_per_second": ${packetsPerSecond}\n`;
    return this.object(values, direction, 'udp', start, end);
  }

  private tcpObject(direction: Direction): string | undefined {
    const numBits = timesEight(cast(this.field(direction.bytesUniq)));
    if (!this.keeps(numBits)) return undefined;
    const durationMs = cast(this.field('durat'));
    const packetsText = this.field(direction.pktsData);
    const duration = pyRound(perThousand(durationMs), 2);
    const bitsPerSecond = rateJson(numBits, durationMs);
    const packetsPerSecond = rateJson(cast(packetsText), durationMs);
    const clientMss = cast(this.field('c_mss'));
    const serverMss = cast(this.field('s_mss'));
    const mss = lessThan(clientMss, serverMss) ? clientMss : serverMss;
    const clientSack = cast(this.field('c_sack_cnt'));
    const serverSack = cast(this.field('s_sack_cnt'));
    const sack = lessThan(serverSack, clientSack) ? clientSack : serverSack;
    const start = truncate(perThousand(cast(this.field('first'))));
    const end = truncate(perThousand(cast(this.field('last'))));
    let values =
      `${I3}"duration": ${pyFloatRepr(duration)},\n` +
      `${I3}"num_bits": ${valueJson(numBits)},\n` +
      `${I3}"num_packets": ${castJson(packetsText)},\n` +
      `${I3}"bits_per_second": ${bitsPerSecond},\n` +
      `${I3}"packets_per_second": ${packetsPerSecond},\n`;
    const extras = direction.extras;
    for (let i = 0; i < extras.length; i++) {
      if (i === TCP_MSS_POSITION) values += `${I3}"tcp_mss": ${valueJson(mss)},\n`;
      const [key, column] = extras[i] as readonly [string, string];
      values += `${I3}"${key}": ${castJson(this.field(column))},\n`;
    }
    values += `${I3}"tcp_sack_cnt": ${valueJson(sack)}\n`;
    return this.object(values, direction, 'tcp', start, end);
  }

  private object(
    values: string,
    direction: Direction,
    protocol: TstatProtocol,
    start: PyInt,
    end: PyInt,
  ): string {
    return (
      `${I1}{\n${I2}"type": "flow",\n${I2}"interval": 600,\n${I2}"values": {\n${values}${I2}},\n` +
      `${I2}"meta": {\n` +
      `${I3}"src_ip": ${castJson(this.field(direction.srcIp))},\n` +
      `${I3}"src_port": ${castJson(this.field(direction.srcPort))},\n` +
      `${I3}"dst_ip": ${castJson(this.field(direction.dstIp))},\n` +
      `${I3}"dst_port": ${castJson(this.field(direction.dstPort))},\n` +
      `${I3}"protocol": "${protocol}",\n` +
      `${this.metaTail}${I2}},\n` +
      `${I2}"start": ${pyIntRepr(start)},\n${I2}"end": ${pyIntRepr(end)}\n${I1}}`
    );
  }
}

/** One message body: the objects as `json.dumps(objects, indent=4)` writes the list. */
export function renderSlice(objects: readonly string[]): string {
  return objects.length === 0 ? '[]' : `[\n${objects.join(',\n')}\n]`;
}
