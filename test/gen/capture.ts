/**
 * More capture shapes for tests: classic pcap in either byte order and time unit, pcapng (several
 * interfaces, tsresol, EPB/SPB/OPB, either byte order), the other link types (Linux SLL and SLL2, raw IP,
 * BSD loopback), IPv4 options and fragments, IPv6 extension headers.
 */
import { buildEthernetFrame, buildIpPacket, type PacketSpec } from './packets.js';

export { buildEthernetFrame, buildIpPacket };

export const LINK = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, SLL: 113, IPV4: 228, IPV6: 229, SLL2: 276 };

/** Adds `length` bytes of IPv4 options (NOPs then EOL, padded to 4) to an IPv4 packet. */
export function withIPv4Options(ip: Buffer, length: number): Buffer {
  const padded = (length + 3) & ~3;
  const options = Buffer.alloc(padded, 1); // NOP
  options[padded - 1] = 0; // EOL
  const header = Buffer.from(ip.subarray(0, 20));
  header[0] = 0x40 | ((20 + padded) / 4);
  header.writeUInt16BE(ip.length + padded, 2);
  return Buffer.concat([header, options, ip.subarray(20)]);
}

/** Splits an IPv4 packet (20-byte header) into fragments of at most `size` payload bytes (multiple of 8). */
export function fragmentIPv4(ip: Buffer, size: number): Buffer[] {
  const payload = ip.subarray(20);
  const out: Buffer[] = [];
  for (let offset = 0; offset < payload.length; offset += size) {
    const part = payload.subarray(offset, offset + size);
    const header = Buffer.from(ip.subarray(0, 20));
    header.writeUInt16BE(20 + part.length, 2);
    const more = offset + size < payload.length ? 0x2000 : 0;
    header.writeUInt16BE(more | (offset / 8), 6);
    out.push(Buffer.concat([header, part]));
  }
  return out;
}

/**
 * Inserts IPv6 extension headers (0 hop-by-hop, 60 destination options, 43 routing: 8 bytes each; 44
 * fragment with `fragmentOffset` in 8-byte units) between the fixed header and the transport header.
 */
export function withIPv6Extensions(ip: Buffer, types: number[], fragmentOffset = 0): Buffer {
  const header = Buffer.from(ip.subarray(0, 40));
  let next = header[6]!;
  const extensions: Buffer[] = [];
  for (let i = types.length - 1; i >= 0; i--) {
    const extension = Buffer.alloc(8);
    extension[0] = next;
    if (types[i] === 44) extension.writeUInt16BE((fragmentOffset << 3) | (i === types.length - 1 ? 0 : 0), 2);
    else extension[1] = 0; // length: (0 + 1) * 8 bytes
    extensions.unshift(extension);
    next = types[i]!;
  }
  header[6] = next;
  const rest = fragmentOffset === 0 ? ip.subarray(40) : ip.subarray(40 + 8); // later fragments carry no transport header
  const body = Buffer.concat([...extensions, rest]);
  header.writeUInt16BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/** Wraps an IP packet in the link layer of `linkType`. */
export function linkFrame(
  linkType: number,
  ip: Buffer,
  options: { srcMac?: string; littleEndianNull?: boolean } = {},
): Buffer {
  const version = ip[0]! >> 4;
  const etherType = version === 6 ? 0x86dd : 0x0800;
  const mac = Buffer.from(
    (options.srcMac ?? '02:00:00:00:00:01').split(':').map((part) => parseInt(part, 16)),
  );
  switch (linkType) {
    case LINK.ETHERNET: {
      const header = Buffer.alloc(14);
      header.writeUIntBE(0x020000000002, 0, 6);
      mac.copy(header, 6);
      header.writeUInt16BE(etherType, 12);
      return Buffer.concat([header, ip]);
    }
    case LINK.SLL: {
      const header = Buffer.alloc(16);
      header.writeUInt16BE(0, 0); // to us
      header.writeUInt16BE(1, 2); // ARPHRD_ETHER
      header.writeUInt16BE(6, 4);
      mac.copy(header, 6);
      header.writeUInt16BE(etherType, 14);
      return Buffer.concat([header, ip]);
    }
    case LINK.SLL2: {
      const header = Buffer.alloc(20);
      header.writeUInt16BE(etherType, 0);
      header.writeUInt32BE(2, 4); // interface index
      header.writeUInt16BE(1, 8);
      header[10] = 0;
      header[11] = 6;
      mac.copy(header, 12);
      return Buffer.concat([header, ip]);
    }
    case LINK.RAW:
    case LINK.IPV4:
    case LINK.IPV6:
      return ip;
    case LINK.NULL: {
      const header = Buffer.alloc(4);
      const family = version === 6 ? 10 : 2;
      if (options.littleEndianNull === false) header.writeUInt32BE(family, 0);
      else header.writeUInt32LE(family, 0);
      return Buffer.concat([header, ip]);
    }
    case LINK.LOOP: {
      const header = Buffer.alloc(4);
      header.writeUInt32BE(version === 6 ? 24 : 2, 0);
      return Buffer.concat([header, ip]);
    }
    default:
      throw new Error(`linkFrame: link type ${linkType} not supported by the generator`);
  }
}

/** A frame for `spec` in `linkType` (Ethernet keeps MACs and VLAN tags). */
export function frameFor(linkType: number, spec: PacketSpec): Buffer {
  return linkType === LINK.ETHERNET ? buildEthernetFrame(spec) : linkFrame(linkType, buildIpPacket(spec));
}

export interface CapturedFrame {
  time: number;
  frame: Buffer;
  interfaceId?: number;
}

export interface PcapOptions {
  linkType?: number;
  snaplen?: number;
  littleEndian?: boolean;
  nanoseconds?: boolean;
}

/** A classic pcap file in memory, any byte order and time unit. */
export function pcapFile(frames: readonly CapturedFrame[], options: PcapOptions = {}): Buffer {
  const littleEndian = options.littleEndian ?? true;
  const snaplen = options.snaplen ?? 262144;
  const w32 = (buffer: Buffer, value: number, at: number) =>
    littleEndian ? buffer.writeUInt32LE(value >>> 0, at) : buffer.writeUInt32BE(value >>> 0, at);
  const w16 = (buffer: Buffer, value: number, at: number) =>
    littleEndian ? buffer.writeUInt16LE(value, at) : buffer.writeUInt16BE(value, at);
  const header = Buffer.alloc(24);
  w32(header, options.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(header, 2, 4);
  w16(header, 4, 6);
  w32(header, snaplen, 16);
  w32(header, options.linkType ?? LINK.ETHERNET, 20);
  const parts: Buffer[] = [header];
  const unit = options.nanoseconds ? 1e9 : 1e6;
  for (const { time, frame } of frames) {
    const captured = Math.min(frame.length, snaplen);
    const record = Buffer.alloc(16);
    const seconds = Math.floor(time);
    w32(record, seconds, 0);
    w32(record, Math.round((time - seconds) * unit), 4);
    w32(record, captured, 8);
    w32(record, frame.length, 12);
    parts.push(record, frame.subarray(0, captured));
  }
  return Buffer.concat(parts);
}

export interface PcapngInterface {
  linkType: number;
  snaplen?: number;
  /** if_tsresol byte: 6 = microseconds (default), 9 = nanoseconds, 0x80|n = 2^-n. */
  tsresol?: number;
}

export interface PcapngBlock extends CapturedFrame {
  kind?: 'epb' | 'spb' | 'opb';
}

/** One pcapng section (SHB, IDBs, then packet blocks); concatenate sections for multi-section files. */
export function pcapngSection(
  interfaces: readonly PcapngInterface[],
  blocks: readonly PcapngBlock[],
  littleEndian = true,
): Buffer {
  const w32 = (buffer: Buffer, value: number, at: number) =>
    littleEndian ? buffer.writeUInt32LE(value >>> 0, at) : buffer.writeUInt32BE(value >>> 0, at);
  const w16 = (buffer: Buffer, value: number, at: number) =>
    littleEndian ? buffer.writeUInt16LE(value, at) : buffer.writeUInt16BE(value, at);
  const block = (type: number, body: Buffer): Buffer => {
    const padded = Buffer.alloc((body.length + 3) & ~3);
    body.copy(padded);
    const out = Buffer.alloc(12 + padded.length);
    w32(out, type, 0);
    w32(out, out.length, 4);
    padded.copy(out, 8);
    w32(out, out.length, out.length - 4);
    return out;
  };
  const parts: Buffer[] = [];
  const shb = Buffer.alloc(16);
  w32(shb, 0x1a2b3c4d, 0);
  w16(shb, 1, 4);
  w16(shb, 0, 6);
  shb.fill(0xff, 8, 16); // section length unknown
  parts.push(block(0x0a0d0d0a, shb));
  const units: number[] = [];
  for (const description of interfaces) {
    const resolution = description.tsresol ?? 6;
    units.push(resolution & 0x80 ? Math.pow(2, resolution & 0x7f) : Math.pow(10, resolution));
    const body = Buffer.alloc(8 + (description.tsresol === undefined ? 0 : 8) + 4);
    w16(body, description.linkType, 0);
    w32(body, description.snaplen ?? 262144, 4);
    let at = 8;
    if (description.tsresol !== undefined) {
      w16(body, 9, at);
      w16(body, 1, at + 2);
      body[at + 4] = description.tsresol;
      at += 8;
    }
    // opt_endofopt: code 0, length 0 (already zero)
    parts.push(block(1, body));
  }
  for (const { time, frame, interfaceId = 0, kind = 'epb' } of blocks) {
    const snaplen = interfaces[interfaceId]?.snaplen ?? 262144;
    const captured = frame.subarray(0, Math.min(frame.length, snaplen));
    if (kind === 'spb') {
      const body = Buffer.alloc(4);
      w32(body, frame.length, 0);
      parts.push(block(3, Buffer.concat([body, captured])));
      continue;
    }
    const ticks = (BigInt(Math.round(time * 1e6)) * BigInt(units[interfaceId] ?? 1e6)) / 1000000n;
    const body = Buffer.alloc(20);
    if (kind === 'opb') {
      w16(body, interfaceId, 0);
      w16(body, 0, 2);
    } else w32(body, interfaceId, 0);
    w32(body, Number(ticks >> 32n), 4);
    w32(body, Number(ticks & 0xffffffffn), 8);
    w32(body, captured.length, 12);
    w32(body, frame.length, 16);
    parts.push(block(kind === 'opb' ? 2 : 6, Buffer.concat([body, captured])));
  }
  return Buffer.concat(parts);
}
