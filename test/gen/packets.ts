/**
 * Builds real packets (Ethernet, 802.1Q, IPv4, IPv6, TCP, UDP, ICMP) and writes classic pcap files, so
 * tests and benchmarks replay captures whose every byte, and so whose ground truth, is known.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export interface PacketSpec {
  /** Capture time, epoch seconds (fractional part kept to the microsecond). */
  time: number;
  srcMac?: string;
  dstMac?: string;
  /** 802.1Q tags, outermost first (QinQ when two). */
  vlans?: number[];
  src: string;
  dst: string;
  /** 6 tcp, 17 udp, 1 icmp, 58 icmpv6, anything else as raw payload. */
  proto: number;
  sport?: number;
  dport?: number;
  /** Transport payload length in bytes (filled with a repeating pattern). */
  payload: number;
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;

function macBytes(mac: string): Buffer {
  return Buffer.from(mac.split(':').map((part) => parseInt(part, 16)));
}

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail = ''] = address.includes('::') ? address.split('::') : [address, ''];
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = [
    ...headGroups,
    ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ];
  const out = Buffer.alloc(16);
  groups.forEach((group, index) => out.writeUInt16BE(parseInt(group, 16), index * 2));
  return out;
}

function checksum(buffer: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < buffer.length; i += 2) sum += buffer.readUInt16BE(i);
  if (buffer.length % 2 === 1) sum += buffer[buffer.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function transportHeader(spec: PacketSpec): Buffer {
  switch (spec.proto) {
    case 6: {
      const tcp = Buffer.alloc(20);
      tcp.writeUInt16BE(spec.sport ?? 0, 0);
      tcp.writeUInt16BE(spec.dport ?? 0, 2);
      tcp.writeUInt32BE(1, 4);
      tcp[12] = 5 << 4; // data offset: 5 words
      tcp[13] = 0x18; // PSH|ACK
      tcp.writeUInt16BE(65535, 14);
      return tcp;
    }
    case 17: {
      const udp = Buffer.alloc(8);
      udp.writeUInt16BE(spec.sport ?? 0, 0);
      udp.writeUInt16BE(spec.dport ?? 0, 2);
      udp.writeUInt16BE(8 + spec.payload, 4);
      return udp;
    }
    case 1:
    case 58: {
      const icmp = Buffer.alloc(8);
      icmp[0] = spec.proto === 1 ? 8 : 128; // echo request
      return icmp;
    }
    default:
      return Buffer.alloc(0);
  }
}

/** The IP packet (header + transport + payload) of a spec. */
export function buildIpPacket(spec: PacketSpec): Buffer {
  const transport = transportHeader(spec);
  const payload = Buffer.alloc(spec.payload, 0x5a);
  const body = Buffer.concat([transport, payload]);
  if (spec.src.includes(':')) {
    const header = Buffer.alloc(40);
    header.writeUInt32BE(0x60000000, 0);
    header.writeUInt16BE(body.length, 4);
    header[6] = spec.proto;
    header[7] = 64;
    ipv6Bytes(spec.src).copy(header, 8);
    ipv6Bytes(spec.dst).copy(header, 24);
    return Buffer.concat([header, body]);
  }
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + body.length, 2);
  header[8] = 64;
  header[9] = spec.proto;
  ipv4Bytes(spec.src).copy(header, 12);
  ipv4Bytes(spec.dst).copy(header, 16);
  header.writeUInt16BE(checksum(header), 10);
  return Buffer.concat([header, body]);
}

/** An Ethernet II frame around the IP packet, with optional 802.1Q tags. */
export function buildEthernetFrame(spec: PacketSpec): Buffer {
  const ip = buildIpPacket(spec);
  const parts: Buffer[] = [
    macBytes(spec.dstMac ?? '02:00:00:00:00:02'),
    macBytes(spec.srcMac ?? '02:00:00:00:00:01'),
  ];
  for (const vlan of spec.vlans ?? []) {
    const tag = Buffer.alloc(4);
    tag.writeUInt16BE(ETHERTYPE_VLAN, 0);
    tag.writeUInt16BE(vlan & 0x0fff, 2);
    parts.push(tag);
  }
  const type = Buffer.alloc(2);
  type.writeUInt16BE(spec.src.includes(':') ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, 0);
  parts.push(type, ip);
  return Buffer.concat(parts);
}

/** Classic pcap (little-endian, microsecond) global header. */
export function pcapHeader(linkType = 1, snaplen = 262144): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snaplen, 16);
  header.writeUInt32LE(linkType, 20);
  return header;
}

/** One pcap record: header + the first `snaplen` bytes of the frame (wire length kept in the header). */
export function pcapRecord(time: number, frame: Buffer, snaplen = 262144): Buffer {
  const captured = Math.min(frame.length, snaplen);
  const header = Buffer.alloc(16);
  const seconds = Math.floor(time);
  header.writeUInt32LE(seconds, 0);
  header.writeUInt32LE(Math.round((time - seconds) * 1e6), 4);
  header.writeUInt32LE(captured, 8);
  header.writeUInt32LE(frame.length, 12);
  return Buffer.concat([header, frame.subarray(0, captured)]);
}

/** A whole Ethernet pcap in memory, for small test fixtures. */
export function buildPcap(packets: readonly PacketSpec[], snaplen = 262144): Buffer {
  return Buffer.concat([
    pcapHeader(1, snaplen),
    ...packets.map((spec) => pcapRecord(spec.time, buildEthernetFrame(spec), snaplen)),
  ]);
}

/** Streams an Ethernet pcap to `path` (for captures too large to build in memory). */
export async function writePcap(
  path: string,
  packets: Iterable<PacketSpec>,
  snaplen = 262144,
): Promise<void> {
  const stream: WriteStream = createWriteStream(path);
  const write = (chunk: Buffer) =>
    new Promise<void>((resolve) => {
      if (stream.write(chunk)) resolve();
      else stream.once('drain', resolve);
    });
  await write(pcapHeader(1, snaplen));
  for (const spec of packets) await write(pcapRecord(spec.time, buildEthernetFrame(spec), snaplen));
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
