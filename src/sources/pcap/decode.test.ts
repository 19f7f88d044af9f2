import { describe, expect, it } from 'vitest';
import {
  LINK,
  buildIpPacket,
  fragmentIPv4,
  frameFor,
  linkFrame,
  withIPv4Options,
  withIPv6Extensions,
} from '../../../test/gen/capture.js';
import type { PacketSpec } from '../../../test/gen/packets.js';
import { decodeFrame, newDecodedPacket, type DecodedPacket } from './decode.js';
import type { Frame } from './frames.js';
import { formatIPv4 } from '../../model/ip.js';

function decode(linkType: number, bytes: Buffer, captured = bytes.length): DecodedPacket {
  const frame: Frame = {
    time: 0,
    linkType,
    interfaceId: 0,
    capturedLength: captured,
    wireLength: bytes.length,
    data: Buffer.concat([Buffer.alloc(3), bytes]), // a non-zero offset, as inside the reader's window
    offset: 3,
    recordOffset: 0,
  };
  const packet = newDecodedPacket();
  expect(decodeFrame(frame, packet)).toBe(true);
  return packet;
}

function summary(packet: DecodedPacket) {
  return {
    version: packet.ipVersion,
    src:
      packet.ipVersion === 4
        ? formatIPv4(packet.src4)
        : packet.data.toString('hex', packet.src6Offset, packet.src6Offset + 2),
    proto: packet.proto,
    sport: packet.sport,
    dport: packet.dport,
    ipLength: packet.ipLength,
    fragment: packet.fragment,
    truncated: packet.truncated,
  };
}

const udp4: PacketSpec = {
  time: 0,
  src: '192.0.2.1',
  dst: '198.51.100.2',
  proto: 17,
  sport: 53,
  dport: 4000,
  payload: 10,
};
const tcp6: PacketSpec = {
  time: 0,
  src: '2001:db8::1',
  dst: '2001:db8::2',
  proto: 6,
  sport: 443,
  dport: 5000,
  payload: 20,
};

describe('link types', () => {
  const linkTypes = [LINK.ETHERNET, LINK.SLL, LINK.SLL2, LINK.RAW, LINK.IPV4, LINK.NULL, LINK.LOOP];
  for (const linkType of linkTypes) {
    it(`decodes IPv4/UDP over link type ${linkType}`, () => {
      expect(summary(decode(linkType, frameFor(linkType, udp4)))).toEqual({
        version: 4,
        src: '192.0.2.1',
        proto: 17,
        sport: 53,
        dport: 4000,
        ipLength: 38,
        fragment: false,
        truncated: false,
      });
    });
    it(`decodes IPv6/TCP over link type ${linkType === LINK.IPV4 ? LINK.IPV6 : linkType}`, () => {
      const type = linkType === LINK.IPV4 ? LINK.IPV6 : linkType;
      expect(summary(decode(type, frameFor(type, tcp6)))).toEqual({
        version: 6,
        src: '2001',
        proto: 6,
        sport: 443,
        dport: 5000,
        ipLength: 80,
        fragment: false,
        truncated: false,
      });
    });
  }

  it('reads a big-endian BSD loopback family', () => {
    const packet = decode(LINK.NULL, linkFrame(LINK.NULL, buildIpPacket(udp4), { littleEndianNull: false }));
    expect(packet.ipVersion).toBe(4);
  });

  it('takes the outermost VLAN id of a QinQ frame and the MACs of Ethernet and SLL', () => {
    const packet = decode(
      LINK.ETHERNET,
      frameFor(LINK.ETHERNET, { ...udp4, vlans: [100, 200], srcMac: '02:aa:00:00:00:01' }),
    );
    expect([
      packet.vlan,
      packet.sport,
      packet.data.toString('hex', packet.srcMacOffset, packet.srcMacOffset + 6),
    ]).toEqual([100, 53, '02aa00000001']);
    const sll = decode(LINK.SLL, linkFrame(LINK.SLL, buildIpPacket(udp4), { srcMac: '02:bb:00:00:00:09' }));
    expect([sll.dstMacOffset, sll.data.toString('hex', sll.srcMacOffset, sll.srcMacOffset + 6)]).toEqual([
      -1,
      '02bb00000009',
    ]);
  });
});

describe('IP layer', () => {
  it('skips IPv4 options to find the ports', () => {
    const packet = decode(LINK.RAW, withIPv4Options(buildIpPacket(udp4), 7));
    expect(summary(packet)).toEqual({
      version: 4,
      src: '192.0.2.1',
      proto: 17,
      sport: 53,
      dport: 4000,
      ipLength: 46,
      fragment: false,
      truncated: false,
    });
  });

  it('takes ports from the first IPv4 fragment only, and counts every fragment', () => {
    const fragments = fragmentIPv4(buildIpPacket({ ...udp4, payload: 100 }), 48);
    expect(
      fragments
        .map((fragment) => summary(decode(LINK.RAW, fragment)))
        .map((s) => [s.sport, s.ipLength, s.fragment]),
    ).toEqual([
      [53, 68, true],
      [-1, 68, true],
      [-1, 32, true],
    ]);
  });

  it('walks IPv6 extension headers, and stops at a non-first fragment', () => {
    const withHeaders = decode(LINK.RAW, withIPv6Extensions(buildIpPacket(tcp6), [0, 60, 43]));
    expect([withHeaders.proto, withHeaders.sport, withHeaders.ipLength]).toEqual([6, 443, 104]);
    const first = decode(LINK.RAW, withIPv6Extensions(buildIpPacket(tcp6), [0, 44]));
    expect([first.proto, first.sport, first.fragment]).toEqual([6, 443, true]);
    const later = decode(LINK.RAW, withIPv6Extensions(buildIpPacket(tcp6), [44], 2));
    expect([later.proto, later.sport, later.fragment]).toEqual([6, -1, true]);
  });

  it('decodes ICMP type and code and names other protocols by number', () => {
    const icmp = decode(LINK.RAW, buildIpPacket({ ...udp4, proto: 1, payload: 0 }));
    expect([icmp.proto, icmp.icmpType, icmp.icmpCode, icmp.sport]).toEqual([1, 8, 0, -1]);
    const gre = decode(LINK.RAW, buildIpPacket({ ...udp4, proto: 47, payload: 8 }));
    expect([gre.proto, gre.sport, gre.ipLength]).toEqual([47, -1, 28]);
  });

  it('marks headers cut by the snaplen as truncated but keeps what was captured', () => {
    const frame = frameFor(LINK.ETHERNET, udp4);
    const cut = decode(LINK.ETHERNET, frame, 36);
    expect(summary(cut)).toEqual({
      version: 4,
      src: '192.0.2.1',
      proto: 17,
      sport: -1,
      dport: -1,
      ipLength: 38,
      fragment: false,
      truncated: true,
    });
    expect(decode(LINK.ETHERNET, frame, 20).ipVersion).toBe(0);
  });
});
