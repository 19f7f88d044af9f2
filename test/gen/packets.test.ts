import { describe, expect, it } from 'vitest';
import { buildEthernetFrame, buildPcap } from './packets.js';

describe('packet generator', () => {
  it('builds an Ethernet/IPv4/UDP frame with correct lengths and checksum', () => {
    const frame = buildEthernetFrame({
      time: 0,
      src: '192.0.2.1',
      dst: '198.51.100.2',
      proto: 17,
      sport: 53,
      dport: 5353,
      payload: 10,
    });
    expect(frame.length).toBe(14 + 20 + 8 + 10);
    expect(frame.readUInt16BE(12)).toBe(0x0800);
    expect(frame.readUInt16BE(14 + 2)).toBe(38); // IP total length
    expect(frame.readUInt16BE(14 + 20 + 4)).toBe(18); // UDP length
    // A valid IPv4 header checksums to zero.
    let sum = 0;
    for (let i = 14; i < 34; i += 2) sum += frame.readUInt16BE(i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    expect(sum).toBe(0xffff);
  });
  it('builds QinQ-tagged IPv6/TCP frames', () => {
    const frame = buildEthernetFrame({
      time: 0,
      vlans: [100, 200],
      src: '2001:db8::1',
      dst: '2001:db8::2',
      proto: 6,
      sport: 1,
      dport: 2,
      payload: 0,
    });
    expect(frame.length).toBe(14 + 8 + 40 + 20);
    expect(frame.readUInt16BE(12)).toBe(0x8100);
    expect(frame.readUInt16BE(20)).toBe(0x86dd);
  });
  it('writes pcap records with the wire length even when truncated by snaplen', () => {
    const pcap = buildPcap([{ time: 1.5, src: '10.0.0.1', dst: '10.0.0.2', proto: 17, payload: 100 }], 64);
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.readUInt32LE(24 + 4)).toBe(500000);
    expect(pcap.readUInt32LE(24 + 8)).toBe(64);
    expect(pcap.readUInt32LE(24 + 12)).toBe(142);
    expect(pcap.length).toBe(24 + 16 + 64);
  });
});
