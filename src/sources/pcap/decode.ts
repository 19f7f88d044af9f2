/**
 * Packet decoder: link layer (Ethernet with 802.1Q/QinQ tags, Linux SLL and SLL2, raw IPv4/IPv6, BSD
 * loopback), IPv4 (options, fragments) and IPv6 (extension headers), then TCP/UDP/SCTP ports and
 * ICMP/ICMPv6 type and code. It fills one reused {@link DecodedPacket}: no objects per packet.
 *
 * Rules: bytes beyond the captured length are never read; a header cut by the snaplen leaves the fields
 * after it unknown (-1) and sets `truncated`. Fragments: every fragment carries bytes, only the first
 * (offset 0) carries ports.
 */
import { LINKTYPE } from './linktypes.js';
import type { Frame } from './frames.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;

export interface DecodedPacket {
  /** 4 or 6; 0 when the packet is not IP (ARP, LLC, …) or its IP header is cut. */
  ipVersion: number;
  /** Ethertype (or SLL protocol) of the network layer; -1 when the link layer has none. */
  etherType: number;
  /** Outermost 802.1Q VLAN id, -1 when untagged. */
  vlan: number;
  /** Offsets of the 6-byte MACs in `data`, -1 when the link layer has none. */
  srcMacOffset: number;
  dstMacOffset: number;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  src4: number;
  dst4: number;
  /** Offsets of the 16-byte IPv6 addresses in `data`. */
  src6Offset: number;
  dst6Offset: number;
  /** Transport protocol number (after IPv6 extension headers), -1 unknown. */
  proto: number;
  /** Ports for TCP/UDP/SCTP first fragments; -1 otherwise. */
  sport: number;
  dport: number;
  /** ICMP / ICMPv6 type and code; -1 otherwise. */
  icmpType: number;
  icmpCode: number;
  /** Offset of the IP header in `data`, -1 when not IP. */
  ipOffset: number;
  /** IP length: IPv4 total length, IPv6 40 + payload length; 0 when not IP. */
  ipLength: number;
  /** Part of a fragmented datagram (any fragment). */
  fragment: boolean;
  /** A header needed for a field lies beyond the captured bytes. */
  truncated: boolean;
  /** The buffer the offsets point into (the frame's). */
  data: Buffer;
}

export function newDecodedPacket(): DecodedPacket {
  return {
    ipVersion: 0,
    etherType: -1,
    vlan: -1,
    srcMacOffset: -1,
    dstMacOffset: -1,
    src4: 0,
    dst4: 0,
    src6Offset: -1,
    dst6Offset: -1,
    proto: -1,
    sport: -1,
    dport: -1,
    icmpType: -1,
    icmpCode: -1,
    ipOffset: -1,
    ipLength: 0,
    fragment: false,
    truncated: false,
    data: Buffer.alloc(0),
  };
}

function reset(packet: DecodedPacket, data: Buffer): void {
  packet.ipVersion = 0;
  packet.etherType = -1;
  packet.vlan = -1;
  packet.srcMacOffset = -1;
  packet.dstMacOffset = -1;
  packet.src4 = 0;
  packet.dst4 = 0;
  packet.src6Offset = -1;
  packet.dst6Offset = -1;
  packet.proto = -1;
  packet.sport = -1;
  packet.dport = -1;
  packet.icmpType = -1;
  packet.icmpCode = -1;
  packet.ipOffset = -1;
  packet.ipLength = 0;
  packet.fragment = false;
  packet.truncated = false;
  packet.data = data;
}

/** Address families a BSD loopback header may carry for IPv6 (Linux, NetBSD/OpenBSD, FreeBSD, macOS). */
function loopbackFamilyToVersion(family: number): number {
  if (family === 2) return 4;
  if (family === 10 || family === 24 || family === 28 || family === 30) return 6;
  return 0;
}

/** Decodes `frame` into `packet` (reused). Returns false when the link type is not supported. */
export function decodeFrame(frame: Frame, packet: DecodedPacket): boolean {
  const data = frame.data;
  const start = frame.offset;
  const end = start + frame.capturedLength;
  reset(packet, data);
  let network = start;
  let version = 0;
  switch (frame.linkType) {
    case LINKTYPE.ETHERNET: {
      if (end - start < 14) {
        packet.truncated = true;
        return true;
      }
      packet.dstMacOffset = start;
      packet.srcMacOffset = start + 6;
      let type = (data[start + 12]! << 8) | data[start + 13]!;
      network = start + 14;
      while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
        if (network + 4 > end) {
          packet.truncated = true;
          return true;
        }
        if (packet.vlan < 0) packet.vlan = ((data[network]! << 8) | data[network + 1]!) & 0x0fff;
        type = (data[network + 2]! << 8) | data[network + 3]!;
        network += 4;
      }
      packet.etherType = type;
      version = type === ETHERTYPE_IPV4 ? 4 : type === ETHERTYPE_IPV6 ? 6 : 0;
      break;
    }
    case LINKTYPE.LINUX_SLL: {
      if (end - start < 16) {
        packet.truncated = true;
        return true;
      }
      const addressLength = (data[start + 4]! << 8) | data[start + 5]!;
      if (addressLength === 6) packet.srcMacOffset = start + 6;
      packet.etherType = (data[start + 14]! << 8) | data[start + 15]!;
      network = start + 16;
      version = packet.etherType === ETHERTYPE_IPV4 ? 4 : packet.etherType === ETHERTYPE_IPV6 ? 6 : 0;
      break;
    }
    case LINKTYPE.LINUX_SLL2: {
      if (end - start < 20) {
        packet.truncated = true;
        return true;
      }
      packet.etherType = (data[start]! << 8) | data[start + 1]!;
      if (data[start + 11] === 6) packet.srcMacOffset = start + 12;
      network = start + 20;
      version = packet.etherType === ETHERTYPE_IPV4 ? 4 : packet.etherType === ETHERTYPE_IPV6 ? 6 : 0;
      break;
    }
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_DLT12:
    case LINKTYPE.RAW_DLT14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      if (end - start < 1) {
        packet.truncated = true;
        return true;
      }
      version = data[start]! >> 4;
      break;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (end - start < 4) {
        packet.truncated = true;
        return true;
      }
      // NULL: the writer's host byte order (small values tell which); LOOP: network order.
      const big = data.readUInt32BE(start);
      const little = data.readUInt32LE(start);
      const family = frame.linkType === LINKTYPE.LOOP ? big : little <= 0xffff ? little : big;
      version = loopbackFamilyToVersion(family);
      network = start + 4;
      break;
    }
    default:
      return false;
  }
  if (version === 4) decodeIPv4(data, network, end, packet);
  else if (version === 6) decodeIPv6(data, network, end, packet);
  return true;
}

function decodeIPv4(data: Buffer, at: number, end: number, packet: DecodedPacket): void {
  if (at + 20 > end) {
    packet.truncated = true;
    return;
  }
  const headerLength = (data[at]! & 0x0f) * 4;
  packet.ipVersion = 4;
  packet.ipOffset = at;
  packet.ipLength = (data[at + 2]! << 8) | data[at + 3]!;
  const flagsAndOffset = (data[at + 6]! << 8) | data[at + 7]!;
  const fragmentOffset = flagsAndOffset & 0x1fff;
  packet.fragment = (flagsAndOffset & 0x2000) !== 0 || fragmentOffset !== 0;
  packet.proto = data[at + 9]!;
  packet.src4 = data.readUInt32BE(at + 12);
  packet.dst4 = data.readUInt32BE(at + 16);
  // Ports only from the first fragment: later fragments carry payload bytes, not a transport header.
  if (fragmentOffset === 0 && headerLength >= 20) decodeTransport(data, at + headerLength, end, packet);
}

/** IPv6 extension headers skipped on the way to the transport header. */
function decodeIPv6(data: Buffer, at: number, end: number, packet: DecodedPacket): void {
  if (at + 40 > end) {
    packet.truncated = true;
    return;
  }
  packet.ipVersion = 6;
  packet.ipOffset = at;
  packet.ipLength = 40 + ((data[at + 4]! << 8) | data[at + 5]!);
  packet.src6Offset = at + 8;
  packet.dst6Offset = at + 24;
  let next = data[at + 6]!;
  let position = at + 40;
  for (;;) {
    switch (next) {
      case 0: // hop-by-hop options
      case 43: // routing
      case 60: // destination options
      case 135: // mobility
      case 139: // HIP
      case 140: // shim6
        if (position + 2 > end) {
          packet.proto = next;
          packet.truncated = true;
          return;
        }
        next = data[position]!;
        position += (data[position + 1]! + 1) * 8;
        continue;
      case 51: // authentication header: length in 4-byte units minus 2
        if (position + 2 > end) {
          packet.proto = next;
          packet.truncated = true;
          return;
        }
        next = data[position]!;
        position += (data[position + 1]! + 2) * 4;
        continue;
      case 44: {
        // fragment header: 8 bytes; ports only in the fragment at offset 0
        if (position + 8 > end) {
          packet.proto = next;
          packet.truncated = true;
          return;
        }
        packet.fragment = true;
        const offset = ((data[position + 2]! << 8) | data[position + 3]!) >> 3;
        next = data[position]!;
        position += 8;
        if (offset !== 0) {
          packet.proto = next;
          return;
        }
        continue;
      }
      default:
        packet.proto = next;
        decodeTransport(data, position, end, packet);
        return;
    }
  }
}

function decodeTransport(data: Buffer, at: number, end: number, packet: DecodedPacket): void {
  switch (packet.proto) {
    case 6: // tcp
    case 17: // udp
    case 132: // sctp
    case 136: // udp-lite
      if (at + 4 > end) {
        packet.truncated = true;
        return;
      }
      packet.sport = (data[at]! << 8) | data[at + 1]!;
      packet.dport = (data[at + 2]! << 8) | data[at + 3]!;
      return;
    case 1: // icmp
    case 58: // icmpv6
      if (at + 2 > end) {
        packet.truncated = true;
        return;
      }
      packet.icmpType = data[at]!;
      packet.icmpCode = data[at + 1]!;
      return;
    default:
      return;
  }
}

const PROTOCOL_NAMES: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  6: 'tcp',
  17: 'udp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  89: 'ospf',
  132: 'sctp',
  136: 'udplite',
};

/** `tcp`, `udp`, … or the number as text for protocols without a common name. */
export function protocolName(proto: number): string {
  return PROTOCOL_NAMES[proto] ?? String(proto);
}

/** Formats a 6-byte MAC at `offset` as `aa:bb:cc:dd:ee:ff`. */
export function formatMac(data: Buffer, offset: number): string {
  let out = '';
  for (let i = 0; i < 6; i++) {
    if (i > 0) out += ':';
    out += data[offset + i]!.toString(16).padStart(2, '0');
  }
  return out;
}
