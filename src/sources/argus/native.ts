/**
 * Native reader of argus 3 data files and streams (what `argus -w` writes), without argus-client.
 *
 * Layout (big-endian throughout; facts from argus 3 `argus_def.h`/`argus_out.h`, checked byte by byte
 * against `ra` 3.0.8.2 on files argus made here):
 * - A stream is a concatenation of records. Each record starts with a 4-byte header: type|version
 *   (0x83 management "MAR", 0x13 flow "FAR"), cause (0x10 start, 0x20 status, 0x30 stop…), length in
 *   32-bit words including the header. A file starts with a MAR.
 * - A flow record is a sequence of DSRs (data-set records), each with a 4-byte header type, subtype,
 *   qualifier, length in words. Type bit 0x80 means "immediate" (one word); subtype bit 0x80 means the
 *   length is the 16-bit value in bytes 2-3.
 * - Flow DSR (0x02): IPv4 key src, dst, proto, tp_p, sport, dport (ICMP: type, code, id); IPv6 key
 *   src[16], dst[16], proto in the top byte of the next word, then the ports. Subtype bit 0x40 means the
 *   key is stored reversed (ra swaps addresses and TCP/UDP ports back; counters are already in order).
 * - Time DSR (0x03): (sec, µsec) pairs; subtype 1 one timestamp, 2 a range, 3 range with end as a µs
 *   delta; qualifier 0x19 means nanoseconds. Subtype bits 0x08-0x40 (3.0 bidirectional form) name which
 *   of src start/end, dst start/end follow.
 * - Metric DSR (0x10): subtype 0x01 packets+bytes, 0x04 packets+bytes+app bytes; the low nibble of the
 *   qualifier says which sides (src+dst, src, dst) and the width (1, 2, 4, 8 bytes).
 * - MAC DSR (0x42): the Ethernet header: destination MAC, source MAC, ethertype.
 * - VLAN DSR (0x40): source and destination tag when the qualifier has bit 0x01 / 0x02.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { EmptyInputError, ParseError, fromFsError } from '../../model/errors.js';
import { countSkipped, newSourceCounters, type SourceCounters } from '../../model/record.js';
import { NO_MAC, NO_VLAN, formatEpochMicros, newArgusFlow, type ArgusFlow } from './flow.js';

const MAR = 0x80;
const FAR = 0x10;
const VERSION_3 = 0x03;

const DSR_TRANSPORT = 0x01;
const DSR_FLOW = 0x02;
const DSR_TIME = 0x03;
const DSR_METER = 0x10;
const DSR_VLAN = 0x40;
const DSR_MAC = 0x42;

/** DSR types argus 3 writes that carry nothing an accounting reader needs: skipped by length. */
const IGNORED_DSR_LIST = [
  DSR_TRANSPORT,
  0x07, // flow hash
  0x12, // packet sizes
  0x20, // encapsulation
  0x30, // network (TCP state, RTP…)
  0x32, // AS numbers
  0x34, // ICMP details
  0x35, // InfiniBand
  0x36, // IS-IS
  0x37, // RSVP
  0x38, // ESP
  0x39, // LCP
  0x41, // GRE
  0x43, // VXLAN
  0x44, // MPLS
  0x45, // Geneve
  0x46, // jitter
  0x47, // histogram
  0x48, // IP attributes (TTL, TOS)
  0x50, // user data
  0x54, // behaviour
  0x60, // aggregation
  0x62, // correlation
  0x64, // country codes
  0x66, // labels
];
/** Lookup table over `type & 0x7f`: 1 for the ignored DSR types (a Set lookup costs more per DSR). */
const IGNORED_DSRS = new Uint8Array(128);
for (const type of IGNORED_DSR_LIST) IGNORED_DSRS[type] = 1;

const TIME_UTC_NANOSECONDS = 0x19;
const FLOW_REVERSE = 0x40;
const FLOW_FRAGMENT = 0x80;
const TYPE_IPV4 = 0x01;
const TYPE_IPV6 = 0x02;
const METER_PKTS_BYTES = 0x01;
const METER_PKTS_BYTES_APP = 0x04;
const TIME_BIDIRECTIONAL_BITS = 0x78;

const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ICMPV6 = 58;
const PROTO_SCTP = 132;

/** The largest record the 16-bit word count allows. */
export const MAX_RECORD_BYTES = 0xffff * 4;

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/**
 * Incremental decoder: feed it chunks with {@link push}, then call {@link end}. It calls `onFlow` once per
 * flow record with the same (mutated) {@link ArgusFlow} object; copy what you keep.
 */
export class ArgusDecoder {
  readonly counters: SourceCounters = newSourceCounters();
  private readonly flow: ArgusFlow = newArgusFlow();
  private pending: Buffer | undefined;
  /** Input offset of the first byte not yet consumed. */
  private consumed = 0;
  private sawFirstRecord = false;
  private hasKey = false;
  private hasTime = false;

  constructor(
    private readonly onFlow: (flow: ArgusFlow) => void,
    private readonly file = '<input>',
  ) {}

  push(chunk: Buffer): void {
    let buffer = chunk;
    if (this.pending !== undefined) {
      buffer = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    const used = this.decode(buffer);
    this.consumed += used;
    if (used < buffer.length) this.pending = buffer.subarray(used);
  }

  /** Ends the input: anything left over is a truncated record. */
  end(): SourceCounters {
    const left = this.pending?.length ?? 0;
    if (left > 0) {
      const pending = this.pending!;
      if (!this.sawFirstRecord && left < 4) this.checkMagic(pending[0]!);
      const declared = left >= 4 ? pending.readUInt16BE(2) * 4 : undefined;
      throw new ParseError(
        declared === undefined
          ? `truncated argus record: ${left} bytes of a 4-byte record header`
          : `truncated argus record: ${left} of ${declared} bytes`,
        { file: this.file, offset: this.consumed },
      );
    }
    if (!this.sawFirstRecord) throw new EmptyInputError(this.file);
    return this.counters;
  }

  private fail(message: string, offset: number): never {
    throw new ParseError(message, { file: this.file, offset });
  }

  private checkMagic(first: number): void {
    if (first !== (MAR | VERSION_3)) {
      this.fail(
        `not an argus 3 file: expected a management record (0x83) at the start, found ${hex(first)}`,
        0,
      );
    }
  }

  /** Decodes every complete record of `buffer`; returns the bytes used. */
  private decode(buffer: Buffer): number {
    let position = 0;
    const length = buffer.length;
    while (length - position >= 4) {
      const typeVersion = buffer[position]!;
      if (!this.sawFirstRecord) {
        this.checkMagic(typeVersion);
        this.sawFirstRecord = true;
      }
      const recordBytes = u16(buffer, position + 2) * 4;
      const offset = this.consumed + position;
      if ((typeVersion & 0x0f) !== VERSION_3) {
        this.fail(`argus record version ${typeVersion & 0x0f} is not supported (expected 3)`, offset);
      }
      if (recordBytes < 4) this.fail('argus record length is 0 words', offset);
      if (length - position < recordBytes) break;
      const type = typeVersion & 0xf0;
      if (type === FAR) {
        this.counters.read++;
        this.decodeFlow(buffer, position, position + recordBytes, offset);
      } else if (type === MAR) {
        // A management record describes the sensor and the file, as a pcap's header does: it is not a
        // flow, so it is neither read nor skipped as one.
      } else {
        this.fail(`unsupported argus record type ${hex(type)} (expected 0x80 or 0x10)`, offset);
      }
      position += recordBytes;
    }
    return position;
  }

  private decodeFlow(buffer: Buffer, start: number, end: number, offset: number): void {
    const flow = this.flow;
    flow.position = offset;
    flow.cause = buffer[start + 1]!;
    flow.smac = NO_MAC;
    flow.dmac = NO_MAC;
    flow.vlan = NO_VLAN;
    flow.spkts = flow.sbytes = flow.sappbytes = flow.dpkts = flow.dbytes = flow.dappbytes = 0;
    this.hasKey = false;
    this.hasTime = false;
    let nonIp = false;
    let position = start + 4;
    while (position < end) {
      if (end - position < 4) this.fail('argus DSR header overruns its record', this.consumed + position);
      const type = buffer[position]!;
      const subtype = buffer[position + 1]!;
      const dsrBytes =
        (type & 0x80) !== 0
          ? 4
          : ((subtype & 0x80) !== 0 ? u16(buffer, position + 2) : buffer[position + 3]!) * 4;
      const dsrOffset = this.consumed + position;
      if (dsrBytes === 0) this.fail(`argus DSR type ${hex(type)} has length 0`, dsrOffset);
      if (position + dsrBytes > end) {
        this.fail(`argus DSR type ${hex(type)} (${dsrBytes} bytes) overruns its record`, dsrOffset);
      }
      switch (type & 0x7f) {
        case DSR_FLOW:
          if (!this.decodeKey(buffer, position, dsrBytes, dsrOffset)) nonIp = true;
          break;
        case DSR_TIME:
          this.decodeTime(buffer, position, dsrBytes, dsrOffset);
          break;
        case DSR_METER:
          this.decodeMetrics(buffer, position, dsrBytes, dsrOffset);
          break;
        case DSR_MAC:
          if (dsrBytes < 16) this.fail('argus MAC DSR is shorter than an Ethernet header', dsrOffset);
          flow.dmac = u16(buffer, position + 4) * 4294967296 + u32(buffer, position + 6);
          flow.smac = u16(buffer, position + 10) * 4294967296 + u32(buffer, position + 12);
          break;
        case DSR_VLAN:
          if (dsrBytes >= 8 && (buffer[position + 2]! & 0x01) !== 0) {
            flow.vlan = buffer.readUInt16BE(position + 4) & 0x0fff;
          }
          break;
        default:
          if (IGNORED_DSRS[type & 0x7f] !== 1) this.fail(`unknown argus DSR type ${hex(type)}`, dsrOffset);
      }
      position += dsrBytes;
    }
    if (nonIp) return countSkipped(this.counters, 'non-IP flow');
    if (!this.hasKey) return countSkipped(this.counters, 'flow record without a flow key');
    if (!this.hasTime) this.fail('argus flow record has no time DSR', offset);
    this.counters.decoded++;
    this.onFlow(flow);
  }

  /** Reads the flow key; false for a key that is not IPv4/IPv6. */
  private decodeKey(buffer: Buffer, position: number, bytes: number, offset: number): boolean {
    const flow = this.flow;
    const subtype = buffer[position + 1]!;
    const qualifier = buffer[position + 2]!;
    const family = qualifier & 0x1f;
    const model = subtype & 0x3f;
    if ((model !== 1 && model !== 2) || (family !== TYPE_IPV4 && family !== TYPE_IPV6)) return false;
    const fragment = (qualifier & FLOW_FRAGMENT) !== 0;
    let portsAt: number;
    if (family === TYPE_IPV4) {
      if (bytes < 20) this.fail('argus IPv4 flow DSR is too short', offset);
      flow.family = 4;
      flow.srcV4 = u32(buffer, position + 4);
      flow.dstV4 = u32(buffer, position + 8);
      flow.proto = buffer[position + 12]!;
      portsAt = position + 14;
    } else {
      if (bytes < 44) this.fail('argus IPv6 flow DSR is too short', offset);
      flow.family = 6;
      flow.srcV6 = readUInt128(buffer, position + 4);
      flow.dstV6 = readUInt128(buffer, position + 20);
      flow.proto = buffer[position + 36]!;
      portsAt = position + 40;
    }
    const proto = flow.proto;
    flow.sport = 0;
    flow.dport = 0;
    const reverse = (subtype & FLOW_REVERSE) !== 0;
    if (!fragment && model === 1) {
      if (proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP) {
        flow.sport = u16(buffer, reverse ? portsAt + 2 : portsAt);
        flow.dport = u16(buffer, reverse ? portsAt : portsAt + 2);
      } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
        flow.sport = buffer[portsAt]!;
        flow.dport = buffer[portsAt + 1]!;
      }
    }
    if (reverse) {
      if (family === TYPE_IPV4) {
        const swap = flow.srcV4;
        flow.srcV4 = flow.dstV4;
        flow.dstV4 = swap;
      } else {
        const swap = flow.srcV6;
        flow.srcV6 = flow.dstV6;
        flow.dstV6 = swap;
      }
    }
    this.hasKey = true;
    return true;
  }

  private decodeTime(buffer: Buffer, position: number, bytes: number, offset: number): void {
    const flow = this.flow;
    const subtype = buffer[position + 1]!;
    const nanoseconds = buffer[position + 2] === TIME_UTC_NANOSECONDS;
    const words = bytes / 4 - 1;
    const stamp = nanoseconds ? stampNanoseconds : stampMicroseconds;
    if ((subtype & TIME_BIDIRECTIONAL_BITS) !== 0) {
      // 3.0 bidirectional form: one (sec, frac) pair per bit, in the order src start, src end, dst start, dst end.
      let count = 0;
      for (let bit = 0x08; bit <= 0x40; bit <<= 1) if ((subtype & bit) !== 0) count++;
      if (words !== count * 2) this.fail('relative argus time DSRs are not supported', offset);
      let first = Infinity;
      let last = -Infinity;
      let at = position + 4;
      for (let bit = 0x08; bit <= 0x40; bit <<= 1) {
        if ((subtype & bit) === 0) continue;
        const value = stamp(buffer, at);
        at += 8;
        if (value === 0) continue;
        if (value < first) first = value;
        if (value > last) last = value;
      }
      if (first === Infinity) this.fail('argus time DSR holds no timestamp', offset);
      flow.startUs = first;
      flow.endUs = last;
    } else {
      const mode = subtype & 0x07;
      if (words < 2) this.fail('argus time DSR is too short', offset);
      flow.startUs = stamp(buffer, position + 4);
      if (mode === 1 || (mode === 2 && words < 4) || (mode === 3 && words < 3)) {
        // One timestamp (argus also writes a "range" holding only its start for a one-packet status).
        flow.endUs = flow.startUs;
      } else if (mode === 2) {
        flow.endUs = stamp(buffer, position + 12);
        if (words >= 8) {
          // A destination range follows: the flow spans both.
          const dstStart = stamp(buffer, position + 20);
          const dstEnd = stamp(buffer, position + 28);
          if (dstStart !== 0 && dstStart < flow.startUs) flow.startUs = dstStart;
          if (dstEnd > flow.endUs) flow.endUs = dstEnd;
        }
      } else if (mode === 3) {
        flow.endUs = flow.startUs + u32(buffer, position + 12);
      } else {
        this.fail(`unsupported argus time DSR subtype ${hex(subtype)}`, offset);
      }
      if (flow.endUs === 0) flow.endUs = flow.startUs;
      if (flow.endUs < flow.startUs) {
        this.fail(
          `argus time DSR ends before it starts (${formatEpochMicros(flow.endUs)} < ${formatEpochMicros(flow.startUs)})`,
          offset,
        );
      }
    }
    this.hasTime = true;
  }

  private decodeMetrics(buffer: Buffer, position: number, bytes: number, offset: number): void {
    const flow = this.flow;
    const subtype = buffer[position + 1]!;
    const code = buffer[position + 2]! & 0x0f;
    let perSide: number;
    if ((subtype & METER_PKTS_BYTES) !== 0) perSide = 2;
    else if ((subtype & METER_PKTS_BYTES_APP) !== 0) perSide = 3;
    else return this.fail(`unsupported argus metric DSR subtype ${hex(subtype)}`, offset);
    if (code < 1 || code > 12) this.fail(`unsupported argus metric DSR qualifier ${hex(code)}`, offset);
    const width = 1 << ((code - 1) & 3);
    const sides = code <= 4 ? 2 : 1;
    const hasSrc = code <= 8;
    const hasDst = code <= 4 || code >= 9;
    if (4 + width * perSide * sides > bytes) this.fail('argus metric DSR is too short', offset);
    let at = position + 4;
    if (hasSrc) {
      flow.spkts = readCounter(buffer, at, width);
      flow.sbytes = readCounter(buffer, (at += width), width);
      if (perSide === 3) flow.sappbytes = readCounter(buffer, (at += width), width);
      at += width;
    }
    if (hasDst) {
      flow.dpkts = readCounter(buffer, at, width);
      flow.dbytes = readCounter(buffer, (at += width), width);
      if (perSide === 3) flow.dappbytes = readCounter(buffer, (at += width), width);
    }
  }
}

/* Plain byte arithmetic: cheaper than Buffer's bounds-checked readers on the hot path (callers check lengths). */
function u16(buffer: Buffer, at: number): number {
  return (buffer[at]! << 8) | buffer[at + 1]!;
}

function u32(buffer: Buffer, at: number): number {
  return buffer[at]! * 16777216 + ((buffer[at + 1]! << 16) | (buffer[at + 2]! << 8) | buffer[at + 3]!);
}

function stampMicroseconds(buffer: Buffer, at: number): number {
  return u32(buffer, at) * 1e6 + u32(buffer, at + 4);
}

function stampNanoseconds(buffer: Buffer, at: number): number {
  return u32(buffer, at) * 1e6 + Math.floor(u32(buffer, at + 4) / 1000);
}

function readCounter(buffer: Buffer, at: number, width: number): number {
  switch (width) {
    case 1:
      return buffer[at]!;
    case 2:
      return u16(buffer, at);
    case 4:
      return u32(buffer, at);
    default:
      return u32(buffer, at) * 4294967296 + u32(buffer, at + 4);
  }
}

function readUInt128(buffer: Buffer, at: number): bigint {
  return (
    (BigInt(buffer.readUInt32BE(at)) << 96n) |
    (BigInt(buffer.readUInt32BE(at + 4)) << 64n) |
    (BigInt(buffer.readUInt32BE(at + 8)) << 32n) |
    BigInt(buffer.readUInt32BE(at + 12))
  );
}

/**
 * Streams an argus 3 file (a path, `-` for stdin, or any byte stream) through the native decoder, calling
 * `onFlow` per flow record. Resolves with the counters (records read, decoded, skipped by reason).
 *
 * @example
 * await readArgusNative('day.argus', (flow) => { total += flow.sbytes + flow.dbytes; });
 */
export async function readArgusNative(
  input: string | Readable,
  onFlow: (flow: ArgusFlow) => void,
  name = typeof input === 'string' ? input : '<stdin>',
): Promise<SourceCounters> {
  const decoder = new ArgusDecoder(onFlow, name);
  const stream =
    typeof input !== 'string'
      ? input
      : input === '-'
        ? process.stdin
        : createReadStream(input, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) decoder.push(chunk as Buffer);
  } catch (error) {
    if (error instanceof ParseError) {
      if (typeof input === 'string' && input !== '-') (stream as Readable).destroy();
      throw error;
    }
    throw fromFsError(error, name);
  }
  return decoder.end();
}
