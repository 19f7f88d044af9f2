/**
 * Per-key packet accounting over decoded packets: the engine behind `netledger capture`.
 *
 * Keys are numbers where they fit (IPv4 addresses and prefixes, MACs, protocol/port pairs) and short
 * latin1 strings otherwise (IPv6 addresses: their 16 bytes), so the hot path builds no text. Counters are
 * exact: each key keeps a float-safe number and carries into a bigint before it could lose precision.
 */
import { formatIPv4, formatIPv6 } from '../../model/ip.js';
import type { Readable } from 'node:stream';
import { countSkipped } from '../../model/record.js';
import { BpfFilter } from './bpf.js';
import { decodeFrame, formatMac, newDecodedPacket, protocolName, type DecodedPacket } from './decode.js';
import { readCapture, type CaptureSummary, type Frame } from './frames.js';

export type GroupKind = 'host' | 'src' | 'dst' | 'cidr' | 'mac' | 'port' | 'proto' | 'flow';

export interface GroupBy {
  kind: GroupKind;
  /** Prefix lengths for `cidr` (IPv4 and IPv6). */
  prefix4?: number;
  prefix6?: number;
}

/** Which length a packet's bytes are counted with. */
export type ByteMeasure = 'wire' | 'ip';

/** Key for packets that have no value for the grouping (non-IP for host, no ports for port, …). */
export const OTHER_KEY = 'other';

const CARRY_LIMIT = 2 ** 52;

interface Counter {
  packets: number;
  bytes: number;
  /** Bytes carried out of `bytes` before it could pass 2^53. */
  carry: bigint;
}

export interface AccountRow {
  key: string;
  packets: bigint;
  bytes: bigint;
}

/** Parses `host`, `src`, `dst`, `cidr24`, `cidr/N`, `cidr/N,M`, `mac`, `port`, `proto`, `flow`. */
export function parseGroupBy(text: string): GroupBy | undefined {
  if (text === 'cidr24') return { kind: 'cidr', prefix4: 24, prefix6: 120 };
  const cidr = /^cidr\/(\d{1,2})(?:,(\d{1,3}))?$/.exec(text);
  if (cidr) {
    const prefix4 = Number(cidr[1]);
    const prefix6 = cidr[2] === undefined ? 64 : Number(cidr[2]);
    if (prefix4 > 32 || prefix6 > 128) return undefined;
    return { kind: 'cidr', prefix4, prefix6 };
  }
  const kinds: readonly GroupKind[] = ['host', 'src', 'dst', 'mac', 'port', 'proto', 'flow'];
  return (kinds as readonly string[]).includes(text) ? { kind: text as GroupKind } : undefined;
}

function v6Key(data: Buffer, offset: number): string {
  return data.toString('latin1', offset, offset + 16);
}

const scratch6 = Buffer.alloc(16);

function v6PrefixKey(data: Buffer, offset: number, prefix: number): string {
  data.copy(scratch6, 0, offset, offset + 16);
  for (let bit = prefix; bit < 128; bit++) scratch6[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return scratch6.toString('latin1', 0, 16);
}

function formatV6Key(key: string): string {
  return formatIPv6(BigInt('0x' + Buffer.from(key, 'latin1').toString('hex')));
}

function macKey(data: Buffer, offset: number): number {
  return data.readUIntBE(offset, 6);
}

export class PacketAccounting {
  readonly groups = new Map<number | string, Counter>();
  /** Every packet offered, whatever its key: the ground-truth totals. */
  totalPackets = 0;
  private totalBytes = 0;
  private totalCarry = 0n;
  private readonly mask4: number;
  private readonly kind: GroupKind;

  constructor(
    readonly groupBy: GroupBy,
    readonly measure: ByteMeasure = 'wire',
  ) {
    this.kind = groupBy.kind;
    const prefix4 = groupBy.prefix4 ?? 32;
    this.mask4 = prefix4 === 0 ? 0 : (0xffffffff << (32 - prefix4)) >>> 0;
  }

  get totals(): { packets: bigint; bytes: bigint } {
    return { packets: BigInt(this.totalPackets), bytes: this.totalCarry + BigInt(this.totalBytes) };
  }

  private bump(key: number | string, bytes: number): void {
    const counter = this.groups.get(key);
    if (counter === undefined) {
      this.groups.set(key, { packets: 1, bytes, carry: 0n });
      return;
    }
    counter.packets++;
    counter.bytes += bytes;
    if (counter.bytes > CARRY_LIMIT) {
      counter.carry += BigInt(counter.bytes);
      counter.bytes = 0;
    }
  }

  /** Both ends of a packet (once when they are the same key). */
  private bumpPair(a: number | string, b: number | string, bytes: number): void {
    this.bump(a, bytes);
    if (a !== b) this.bump(b, bytes);
  }

  add(frame: Frame, packet: DecodedPacket): void {
    const bytes = this.measure === 'wire' ? frame.wireLength : packet.ipLength;
    this.totalPackets++;
    this.totalBytes += bytes;
    if (this.totalBytes > CARRY_LIMIT) {
      this.totalCarry += BigInt(this.totalBytes);
      this.totalBytes = 0;
    }
    const data = packet.data;
    const version = packet.ipVersion;
    switch (this.kind) {
      case 'host':
      case 'src':
      case 'dst':
      case 'cidr': {
        if (version === 0) return this.bump(OTHER_KEY, bytes);
        let src: number | string;
        let dst: number | string;
        if (version === 4) {
          src = (packet.src4 & this.mask4) >>> 0;
          dst = (packet.dst4 & this.mask4) >>> 0;
        } else if (this.kind === 'cidr' && (this.groupBy.prefix6 ?? 128) < 128) {
          src = v6PrefixKey(data, packet.src6Offset, this.groupBy.prefix6!);
          dst = v6PrefixKey(data, packet.dst6Offset, this.groupBy.prefix6!);
        } else {
          src = v6Key(data, packet.src6Offset);
          dst = v6Key(data, packet.dst6Offset);
        }
        if (this.kind === 'src') return this.bump(src, bytes);
        if (this.kind === 'dst') return this.bump(dst, bytes);
        return this.bumpPair(src, dst, bytes);
      }
      case 'mac': {
        if (packet.srcMacOffset < 0 && packet.dstMacOffset < 0) return this.bump(OTHER_KEY, bytes);
        if (packet.dstMacOffset < 0) return this.bump(macKey(data, packet.srcMacOffset), bytes);
        return this.bumpPair(macKey(data, packet.srcMacOffset), macKey(data, packet.dstMacOffset), bytes);
      }
      case 'port': {
        if (packet.sport < 0) return this.bump(OTHER_KEY, bytes);
        const base = packet.proto * 65536;
        return this.bumpPair(base + packet.sport, base + packet.dport, bytes);
      }
      case 'proto':
        return this.bump(version === 0 ? OTHER_KEY : packet.proto, bytes);
      case 'flow': {
        if (version === 0) return this.bump(OTHER_KEY, bytes);
        const key =
          version === 4
            ? `4 ${packet.proto} ${packet.src4} ${packet.sport} ${packet.dst4} ${packet.dport}`
            : `6 ${packet.proto} ${packet.sport} ${packet.dport} ` +
              v6Key(data, packet.src6Offset) +
              v6Key(data, packet.dst6Offset);
        return this.bump(key, bytes);
      }
    }
  }

  /** The human form of a map key. */
  formatKey(key: number | string): string {
    if (key === OTHER_KEY) return OTHER_KEY;
    switch (this.kind) {
      case 'host':
      case 'src':
      case 'dst':
        return typeof key === 'number' ? formatIPv4(key) : formatV6Key(key);
      case 'cidr':
        return typeof key === 'number'
          ? `${formatIPv4(key)}/${this.groupBy.prefix4 ?? 32}`
          : `${formatV6Key(key)}/${this.groupBy.prefix6 ?? 128}`;
      case 'mac': {
        const bytes = Buffer.alloc(6);
        bytes.writeUIntBE(key as number, 0, 6);
        return formatMac(bytes, 0);
      }
      case 'port':
        return `${protocolName(Math.floor((key as number) / 65536))}/${(key as number) % 65536}`;
      case 'proto':
        return protocolName(key as number);
      case 'flow':
        return formatFlowKey(key as string);
    }
  }

  /** Rows sorted by bytes (descending), then packets, then key. */
  rows(): AccountRow[] {
    const rows: AccountRow[] = [];
    for (const [key, counter] of this.groups) {
      rows.push({
        key: this.formatKey(key),
        packets: BigInt(counter.packets),
        bytes: counter.carry + BigInt(counter.bytes),
      });
    }
    return rows.sort((a, b) =>
      a.bytes !== b.bytes
        ? a.bytes > b.bytes
          ? -1
          : 1
        : a.packets !== b.packets
          ? a.packets > b.packets
            ? -1
            : 1
          : a.key < b.key
            ? -1
            : a.key > b.key
              ? 1
              : 0,
    );
  }
}

function endpoint(address: string, port: string): string {
  return port === '-1' ? address : address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function formatFlowKey(key: string): string {
  const parts = key.split(' ');
  const proto = protocolName(Number(parts[1]));
  if (parts[0] === '4') {
    return `${proto} ${endpoint(formatIPv4(Number(parts[2])), parts[3]!)} > ${endpoint(formatIPv4(Number(parts[4])), parts[5]!)}`;
  }
  const addresses = key.slice(key.length - 32);
  return `${proto} ${endpoint(formatV6Key(addresses.slice(0, 16)), parts[2]!)} > ${endpoint(formatV6Key(addresses.slice(16)), parts[3]!)}`;
}

export interface AccountCaptureOptions {
  groupBy: GroupBy;
  measure?: ByteMeasure;
  /** A tcpdump filter expression, compiled per link type and run on every packet. */
  bpf?: string;
  skipBad?: boolean;
  /** Name for messages when `source` is a stream. */
  name?: string;
  /** Called every PROGRESS_FRAMES frames with the frames read so far (for a progress line). */
  onProgress?: (frames: number) => void;
}

/** Frames between progress calls: rare enough to cost nothing per packet. */
export const PROGRESS_FRAMES = 1 << 16;

export interface AccountCaptureResult {
  accounting: PacketAccounting;
  summary: CaptureSummary;
  /** Packets the BPF filter rejected. */
  filtered: number;
}

/**
 * One pass over a capture: read, filter, decode, account.
 *
 * @example
 * const { accounting } = await accountCapture('trace.pcap', { groupBy: { kind: 'host' } });
 * for (const row of accounting.rows()) console.log(row.key, row.packets, row.bytes);
 */
export async function accountCapture(
  source: string | Readable | NodeJS.ReadableStream,
  options: AccountCaptureOptions,
): Promise<AccountCaptureResult> {
  const accounting = new PacketAccounting(options.groupBy, options.measure ?? 'wire');
  const filter = options.bpf === undefined ? undefined : new BpfFilter(options.bpf);
  const packet = newDecodedPacket();
  let filtered = 0;
  let unsupported = 0;
  let decoded = 0;
  let frames = 0;
  const onProgress = options.onProgress;
  const onFrame = (frame: Frame): void => {
    if (onProgress !== undefined && ++frames % PROGRESS_FRAMES === 0) onProgress(frames);
    if (
      filter !== undefined &&
      !filter.matches(frame.linkType, frame.data, frame.offset, frame.capturedLength, frame.wireLength)
    ) {
      filtered++;
      return;
    }
    if (!decodeFrame(frame, packet)) {
      unsupported++;
      return;
    }
    decoded++;
    accounting.add(frame, packet);
  };
  const summary = await readCapture(source, onFrame, {
    skipBad: options.skipBad ?? false,
    ...(options.name === undefined ? {} : { name: options.name }),
    onLinkType: (linkType) => filter?.prepare(linkType),
  });
  summary.decoded = decoded;
  if (unsupported > 0) countSkipped(summary, 'unsupported-link-type', unsupported);
  return { accounting, summary, filtered };
}
