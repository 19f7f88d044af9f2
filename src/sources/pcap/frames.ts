/**
 * Streaming reader of capture containers: classic pcap (both byte orders, micro- and nanosecond) and
 * pcapng (SHB, IDB, EPB, SPB, OPB; several interfaces with their own link types and time resolutions;
 * sections in either byte order).
 *
 * The hot path allocates nothing per packet: every record is handed to the callback as the same
 * {@link Frame} object, whose `data`/`offset` point into the reader's window. Copy what you keep.
 * Corrupt input throws a ParseError naming the byte offset, or with `skipBad` resynchronises on the next
 * plausible record and counts the bytes and records it skipped.
 */
import { ParseError } from '../../model/errors.js';
import { countSkipped, newSourceCounters, type SourceCounters } from '../../model/record.js';
import { openByteInput, type ByteInput } from './input.js';
import type { Readable } from 'node:stream';

/** One captured packet; the same object is reused for every record (valid during the callback only). */
export interface Frame {
  /** Capture time, epoch seconds (fractional). */
  time: number;
  linkType: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** Bytes present in the record (at most the snaplen). */
  capturedLength: number;
  /** Length of the packet on the wire, from the record header. */
  wireLength: number;
  /** The buffer holding the captured bytes, from `offset` to `offset + capturedLength`. */
  data: Buffer;
  offset: number;
  /** Absolute byte offset of the record (or block) in the input. */
  recordOffset: number;
}

export interface CaptureSummary extends SourceCounters {
  format: 'pcap' | 'pcapng' | 'empty';
  /** Bytes dropped while resynchronising after corrupt input (`skipBad`). */
  skippedBytes: number;
  /** Link types seen (one per classic file; one per interface for pcapng). */
  linkTypes: number[];
}

export interface ReadCaptureOptions {
  /** Resynchronise after corrupt records instead of failing; skipped bytes and records are counted. */
  skipBad?: boolean;
  /** Name for messages when the input is a stream. */
  name?: string;
  /** Called when a new link type appears (classic header, pcapng IDB), before its first frame. */
  onLinkType?: (linkType: number, interfaceId: number) => void;
}

export const READER_DEFAULTS = {
  /** Initial window; grows when one record is larger. */
  windowBytes: 4 << 20,
  /** Largest captured length accepted in any record (libpcap's limit is 262144 for most link types). */
  maxCapturedLength: 262144,
  /** A classic header snaplen above this is not a capture file. */
  maxSnaplen: 1 << 24,
  /** Largest pcapng block accepted. */
  maxBlockLength: 1 << 24,
} as const;

const MAGIC_PCAP_US = 0xa1b2c3d4;
const MAGIC_PCAP_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;
const BLOCK_IDB = 1;
const BLOCK_OPB = 2;
const BLOCK_SPB = 3;
const BLOCK_NRB = 4;
const BLOCK_ISB = 5;
const BLOCK_EPB = 6;
const TWO_POW_32 = 4294967296;

function u32le(buffer: Buffer, at: number): number {
  return (buffer[at]! | (buffer[at + 1]! << 8) | (buffer[at + 2]! << 16)) + buffer[at + 3]! * 0x1000000;
}

function u32be(buffer: Buffer, at: number): number {
  return buffer[at]! * 0x1000000 + ((buffer[at + 1]! << 16) | (buffer[at + 2]! << 8) | buffer[at + 3]!);
}

function u16(buffer: Buffer, at: number, littleEndian: boolean): number {
  return littleEndian ? buffer[at]! | (buffer[at + 1]! << 8) : (buffer[at]! << 8) | buffer[at + 1]!;
}

interface PcapngInterface {
  linkType: number;
  snaplen: number;
  unitsPerSecond: number;
  unitsPerSecondBig: bigint;
  offsetSeconds: number;
}

/** Epoch seconds of a 64-bit pcapng timestamp; whole seconds and fraction apart, so no precision is lost. */
function pcapngTime(high: number, low: number, description: PcapngInterface): number {
  const units = high * TWO_POW_32 + low;
  if (units <= Number.MAX_SAFE_INTEGER) {
    const whole = Math.floor(units / description.unitsPerSecond);
    return (
      whole +
      (units - whole * description.unitsPerSecond) / description.unitsPerSecond +
      description.offsetSeconds
    );
  }
  const exact = (BigInt(high) << 32n) | BigInt(low);
  const whole = exact / description.unitsPerSecondBig;
  const fraction = Number(exact - whole * description.unitsPerSecondBig) / description.unitsPerSecond;
  return Number(whole) + fraction + description.offsetSeconds;
}

type State = 'magic' | 'pcap' | 'pcapng' | 'resync-pcap' | 'resync-pcapng';

/**
 * The container state machine. `parse` consumes every complete record of `buffer[start, end)` and returns
 * where it stopped; `base` is the absolute input offset of `buffer[0]`.
 */
export class CaptureParser {
  readonly summary: CaptureSummary = {
    ...newSourceCounters(),
    format: 'empty',
    skippedBytes: 0,
    linkTypes: [],
  };
  private state: State = 'magic';
  private littleEndian = true;
  private fractionLimit = 1e6;
  private linkType = 0;
  private capturedLimit: number = READER_DEFAULTS.maxCapturedLength;
  private lastSeconds = -1;
  private interfaces: PcapngInterface[] = [];
  /** Absolute offset where the current resynchronisation began. */
  private resyncFrom = 0;
  private readonly frame: Frame = {
    time: 0,
    linkType: 0,
    interfaceId: 0,
    capturedLength: 0,
    wireLength: 0,
    data: Buffer.alloc(0),
    offset: 0,
    recordOffset: 0,
  };

  constructor(
    private readonly file: string,
    private readonly onFrame: (frame: Frame) => void,
    private readonly options: ReadCaptureOptions = {},
  ) {}

  parse(buffer: Buffer, start: number, end: number, base: number, eof: boolean): number {
    let position = start;
    for (;;) {
      const before = position;
      switch (this.state) {
        case 'magic':
          position = this.parseMagic(buffer, position, end, base, eof);
          break;
        case 'pcap':
          position = this.parsePcap(buffer, position, end, base, eof);
          break;
        case 'pcapng':
          position = this.parsePcapng(buffer, position, end, base, eof);
          break;
        case 'resync-pcap':
        case 'resync-pcapng':
          position = this.resync(buffer, position, end, base, eof);
          break;
      }
      // Each parser returns either after a state change (loop again) or when it needs more input.
      if (position === before && !this.stateChanged) return position;
      this.stateChanged = false;
      if (position >= end && !eof) return position;
      if (position >= end && eof) return position;
    }
  }

  private stateChanged = false;

  private setState(state: State): void {
    this.state = state;
    this.stateChanged = true;
  }

  private error(message: string, offset: number): ParseError {
    return new ParseError(message, { file: this.file, offset });
  }

  /** Corrupt record at `position`: throw, or switch to resynchronisation. */
  private corrupt(message: string, position: number, base: number): number {
    if (!this.options.skipBad) throw this.error(message, base + position);
    countSkipped(this.summary, 'corrupt-record');
    this.resyncFrom = base + position;
    this.setState(this.state === 'pcap' ? 'resync-pcap' : 'resync-pcapng');
    return position;
  }

  /** A record cut short by the end of the input. */
  private truncatedAtEnd(message: string, position: number, end: number, base: number): number {
    if (!this.options.skipBad) throw this.error(message, base + position);
    countSkipped(this.summary, 'truncated-record');
    this.summary.skippedBytes += end - position;
    return end;
  }

  private parseMagic(buffer: Buffer, position: number, end: number, base: number, eof: boolean): number {
    if (end - position < 4) {
      if (!eof) return position;
      if (end === position && base + position === 0) return position; // an empty input holds no packets
      throw this.error(
        `truncated file header: 4 bytes of magic expected, ${end - position} present`,
        base + position,
      );
    }
    const magicLe = u32le(buffer, position);
    const magicBe = u32be(buffer, position);
    if (magicLe === PCAPNG_SHB) {
      this.summary.format = 'pcapng';
      this.setState('pcapng');
      return position;
    }
    let littleEndian: boolean;
    let nanoseconds: boolean;
    if (magicLe === MAGIC_PCAP_US || magicLe === MAGIC_PCAP_NS) {
      littleEndian = true;
      nanoseconds = magicLe === MAGIC_PCAP_NS;
    } else if (magicBe === MAGIC_PCAP_US || magicBe === MAGIC_PCAP_NS) {
      littleEndian = false;
      nanoseconds = magicBe === MAGIC_PCAP_NS;
    } else {
      throw this.error(
        `bad magic 0x${magicBe.toString(16).padStart(8, '0')}: not a pcap or pcapng file`,
        base + position,
      );
    }
    if (end - position < 24) {
      if (!eof) return position;
      throw this.error(
        `truncated pcap file header: 24 bytes expected, ${end - position} present`,
        base + position,
      );
    }
    const read32 = littleEndian ? u32le : u32be;
    const snaplen = read32(buffer, position + 16);
    if (snaplen > READER_DEFAULTS.maxSnaplen) {
      throw this.error(
        `absurd snaplen ${snaplen} in the pcap file header (at most ${READER_DEFAULTS.maxSnaplen})`,
        base + position + 16,
      );
    }
    this.littleEndian = littleEndian;
    this.fractionLimit = nanoseconds ? 1e9 : 1e6;
    // The upper 16 bits of the link-type field may carry FCS information (pcap format draft): mask them.
    this.linkType = read32(buffer, position + 20) & 0x0fffffff & 0xffff;
    this.capturedLimit = Math.max(snaplen, READER_DEFAULTS.maxCapturedLength);
    this.summary.format = 'pcap';
    this.summary.linkTypes.push(this.linkType);
    this.options.onLinkType?.(this.linkType, 0);
    this.setState('pcap');
    return position + 24;
  }

  private parsePcap(buffer: Buffer, start: number, end: number, base: number, eof: boolean): number {
    const littleEndian = this.littleEndian;
    const read32 = littleEndian ? u32le : u32be;
    const frame = this.frame;
    const onFrame = this.onFrame;
    const limit = this.capturedLimit;
    const divisor = this.fractionLimit;
    frame.data = buffer;
    frame.linkType = this.linkType;
    frame.interfaceId = 0;
    let position = start;
    for (;;) {
      if (position + 16 > end) {
        if (eof && position < end) {
          return this.truncatedAtEnd(
            `truncated record header: 16 bytes expected, ${end - position} present`,
            position,
            end,
            base,
          );
        }
        return position;
      }
      const capturedLength = read32(buffer, position + 8);
      const wireLength = read32(buffer, position + 12);
      if (capturedLength > limit) {
        return this.corrupt(
          `record header: captured length ${capturedLength} larger than the maximum ${limit}`,
          position,
          base,
        );
      }
      if (capturedLength > wireLength) {
        return this.corrupt(
          `record header: captured length ${capturedLength} larger than the wire length ${wireLength}`,
          position,
          base,
        );
      }
      const next = position + 16 + capturedLength;
      if (next > end) {
        if (eof) {
          return this.truncatedAtEnd(
            `record: captured length ${capturedLength} runs past the end of the input (${end - position - 16} bytes left)`,
            position,
            end,
            base,
          );
        }
        return position;
      }
      const seconds = read32(buffer, position);
      frame.time = seconds + read32(buffer, position + 4) / divisor;
      frame.capturedLength = capturedLength;
      frame.wireLength = wireLength;
      frame.offset = position + 16;
      frame.recordOffset = base + position;
      this.lastSeconds = seconds;
      this.summary.read++;
      onFrame(frame);
      position = next;
    }
  }

  /** Is there a plausible classic record header at `at`? */
  private plausiblePcapHeader(buffer: Buffer, at: number): boolean {
    const read32 = this.littleEndian ? u32le : u32be;
    const capturedLength = read32(buffer, at + 8);
    const wireLength = read32(buffer, at + 12);
    if (capturedLength > this.capturedLimit || capturedLength > wireLength) return false;
    if (wireLength > Math.max(this.capturedLimit, 1 << 18)) return false;
    if (read32(buffer, at + 4) >= this.fractionLimit) return false;
    // A resync target near the last good time: one week either way.
    return this.lastSeconds < 0 || Math.abs(read32(buffer, at) - this.lastSeconds) <= 7 * 86400;
  }

  private plausibleBlock(buffer: Buffer, at: number, end: number, eof: boolean): boolean | 'more' {
    const read32 = this.littleEndian ? u32le : u32be;
    const type = read32(buffer, at);
    if (type !== PCAPNG_SHB && (type < BLOCK_IDB || type > BLOCK_EPB)) return false;
    const length = read32(buffer, at + 4);
    if (length < 12 || length % 4 !== 0 || length > READER_DEFAULTS.maxBlockLength) return false;
    if (at + length > end) return eof ? false : 'more';
    return read32(buffer, at + length - 4) === length;
  }

  private resync(buffer: Buffer, start: number, end: number, base: number, eof: boolean): number {
    const pcap = this.state === 'resync-pcap';
    const step = pcap ? 1 : 4;
    let position = Math.max(start, this.resyncFrom - base + step);
    for (; position + 16 <= end; position += step) {
      if (pcap) {
        if (!this.plausiblePcapHeader(buffer, position)) continue;
        const next = position + 16 + (this.littleEndian ? u32le : u32be)(buffer, position + 8);
        if (next === end && eof) break;
        if (next + 16 > end) {
          if (eof) continue;
          return position; // need more input to check the record after it
        }
        if (!this.plausiblePcapHeader(buffer, next)) continue;
        break;
      } else {
        const verdict = this.plausibleBlock(buffer, position, end, eof);
        if (verdict === 'more') return position;
        if (verdict) break;
      }
    }
    if (position + 16 > end && !eof) return position;
    if (position + 16 > end) position = end;
    this.summary.skippedBytes += base + position - this.resyncFrom;
    this.setState(pcap ? 'pcap' : 'pcapng');
    return position;
  }

  private parsePcapng(buffer: Buffer, start: number, end: number, base: number, eof: boolean): number {
    const frame = this.frame;
    frame.data = buffer;
    let position = start;
    for (;;) {
      if (position + 12 > end) {
        if (eof && position < end) {
          return this.truncatedAtEnd(
            `truncated pcapng block header: 12 bytes expected, ${end - position} present`,
            position,
            end,
            base,
          );
        }
        return position;
      }
      let read32 = this.littleEndian ? u32le : u32be;
      const type = read32(buffer, position);
      if (type === PCAPNG_SHB) {
        const magic = u32le(buffer, position + 8);
        if (magic === PCAPNG_BYTE_ORDER) this.littleEndian = true;
        else if (u32be(buffer, position + 8) === PCAPNG_BYTE_ORDER) this.littleEndian = false;
        else {
          return this.corrupt(
            `pcapng section header: bad byte-order magic 0x${u32be(buffer, position + 8)
              .toString(16)
              .padStart(8, '0')}`,
            position,
            base,
          );
        }
        read32 = this.littleEndian ? u32le : u32be;
      }
      const length = read32(buffer, position + 4);
      if (length < 12 || length % 4 !== 0 || length > READER_DEFAULTS.maxBlockLength) {
        return this.corrupt(
          `pcapng block: bad total length ${length} (a multiple of 4 from 12 to ${READER_DEFAULTS.maxBlockLength} expected)`,
          position,
          base,
        );
      }
      if (position + length > end) {
        if (eof) {
          return this.truncatedAtEnd(
            `pcapng block: total length ${length} runs past the end of the input (${end - position} bytes left)`,
            position,
            end,
            base,
          );
        }
        return position;
      }
      const trailing = read32(buffer, position + length - 4);
      if (trailing !== length) {
        return this.corrupt(
          `pcapng block: trailing length ${trailing} differs from the leading length ${length}`,
          position,
          base,
        );
      }
      const body = position + 8;
      const bodyEnd = position + length - 4;
      switch (type) {
        case PCAPNG_SHB:
          this.interfaces = [];
          break;
        case BLOCK_IDB: {
          if (bodyEnd - body < 8)
            return this.corrupt('pcapng interface block: shorter than 20 bytes', position, base);
          const description = this.readInterface(buffer, body, bodyEnd, read32);
          this.interfaces.push(description);
          this.summary.linkTypes.push(description.linkType);
          this.options.onLinkType?.(description.linkType, this.interfaces.length - 1);
          break;
        }
        case BLOCK_EPB:
        case BLOCK_OPB: {
          if (bodyEnd - body < 20)
            return this.corrupt('pcapng packet block: shorter than 32 bytes', position, base);
          const interfaceId =
            type === BLOCK_EPB ? read32(buffer, body) : u16(buffer, body, this.littleEndian);
          const description = this.interfaces[interfaceId];
          if (description === undefined) {
            return this.corrupt(`pcapng packet block: undeclared interface ${interfaceId}`, position, base);
          }
          const capturedLength = read32(buffer, body + 12);
          if (body + 20 + capturedLength > bodyEnd) {
            return this.corrupt(
              `pcapng packet block: captured length ${capturedLength} runs past the block (${bodyEnd - body - 20} bytes)`,
              position,
              base,
            );
          }
          frame.time = pcapngTime(read32(buffer, body + 4), read32(buffer, body + 8), description);
          frame.linkType = description.linkType;
          frame.interfaceId = interfaceId;
          frame.capturedLength = capturedLength;
          frame.wireLength = Math.max(read32(buffer, body + 16), capturedLength);
          frame.offset = body + 20;
          frame.recordOffset = base + position;
          this.summary.read++;
          this.onFrame(frame);
          break;
        }
        case BLOCK_SPB: {
          const description = this.interfaces[0];
          if (description === undefined) {
            return this.corrupt('pcapng simple packet block: no interface declared', position, base);
          }
          const wireLength = read32(buffer, body);
          let capturedLength = Math.min(wireLength, bodyEnd - body - 4);
          if (description.snaplen > 0) capturedLength = Math.min(capturedLength, description.snaplen);
          // A simple packet block has no timestamp: it inherits the last one seen.
          frame.linkType = description.linkType;
          frame.interfaceId = 0;
          frame.capturedLength = capturedLength;
          frame.wireLength = wireLength;
          frame.offset = body + 4;
          frame.recordOffset = base + position;
          this.summary.read++;
          this.onFrame(frame);
          break;
        }
        case BLOCK_NRB:
        case BLOCK_ISB:
        default:
          break; // name resolution, statistics, custom blocks: nothing to count
      }
      position += length;
    }
  }

  private readInterface(
    buffer: Buffer,
    body: number,
    bodyEnd: number,
    read32: (buffer: Buffer, at: number) => number,
  ): PcapngInterface {
    const description: PcapngInterface = {
      linkType: u16(buffer, body, this.littleEndian),
      snaplen: read32(buffer, body + 4),
      unitsPerSecond: 1e6,
      unitsPerSecondBig: 1000000n,
      offsetSeconds: 0,
    };
    let option = body + 8;
    while (option + 4 <= bodyEnd) {
      const code = u16(buffer, option, this.littleEndian);
      const length = u16(buffer, option + 2, this.littleEndian);
      if (code === 0) break;
      const value = option + 4;
      if (code === 9 && length >= 1) {
        // if_tsresol: high bit clear = negative power of 10, set = negative power of 2.
        const resolution = buffer[value]!;
        description.unitsPerSecond =
          resolution & 0x80 ? Math.pow(2, resolution & 0x7f) : Math.pow(10, resolution);
        description.unitsPerSecondBig = BigInt(description.unitsPerSecond);
      } else if (code === 14 && length >= 8) {
        const high = read32(buffer, this.littleEndian ? value + 4 : value);
        const low = read32(buffer, this.littleEndian ? value : value + 4);
        description.offsetSeconds = (high | 0) * TWO_POW_32 + low;
      }
      option = value + ((length + 3) & ~3);
    }
    return description;
  }
}

/**
 * Drives a {@link CaptureParser} over `source`, yielding after each window so a consumer can drain what the
 * callback collected (records, rows) with back-pressure. Returns the summary when the input ends.
 */
export async function* captureWindows(
  source: string | Readable | NodeJS.ReadableStream,
  onFrame: (frame: Frame) => void,
  options: ReadCaptureOptions = {},
): AsyncGenerator<void, CaptureSummary, undefined> {
  const input: ByteInput = await openByteInput(source, options.name);
  const parser = new CaptureParser(input.name, onFrame, options);
  let window = Buffer.allocUnsafe(READER_DEFAULTS.windowBytes);
  let start = 0;
  let end = 0;
  let base = 0;
  try {
    for (;;) {
      if (start > 0) {
        window.copyWithin(0, start, end);
        base += start;
        end -= start;
        start = 0;
      }
      if (end === window.length) {
        const larger = Buffer.allocUnsafe(window.length * 2);
        window.copy(larger, 0, 0, end);
        window = larger;
      }
      const count = await input.read(window, end, window.length - end);
      end += count;
      const eof = count === 0;
      start = parser.parse(window, start, end, base, eof);
      yield;
      if (eof) break;
    }
  } finally {
    await input.close();
  }
  return parser.summary;
}

/**
 * Reads a capture from a path (`-` = stdin) or a stream, calling `onFrame` for every packet.
 *
 * @example
 * let bytes = 0;
 * const summary = await readCapture('trace.pcap', (frame) => { bytes += frame.wireLength; });
 */
export async function readCapture(
  source: string | Readable | NodeJS.ReadableStream,
  onFrame: (frame: Frame) => void,
  options: ReadCaptureOptions = {},
): Promise<CaptureSummary> {
  const windows = captureWindows(source, onFrame, options);
  for (;;) {
    const step = await windows.next();
    if (step.done) return step.value;
  }
}
