import { describe, expect, it } from 'vitest';
import {
  compareIp,
  formatIPv6,
  formatIp,
  formatPrefix,
  parseIPv4,
  parseIPv6,
  parseIp,
  parsePrefix,
  prefixContains,
  prefixOf,
} from './ip.js';

const ip = (text: string) => {
  const address = parseIp(text);
  if (address === undefined) throw new Error(`test address ${text} does not parse`);
  return address;
};

describe('IPv4', () => {
  it('parses dotted quads to uint32', () => {
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('192.0.2.1')).toBe(0xc0000201);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
  });
  it('refuses what inet_pton refuses', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.-4', 'a.b.c.d', '']) {
      expect(parseIPv4(bad)).toBeUndefined();
    }
  });
});

describe('IPv6', () => {
  it('parses compressed forms and embedded IPv4', () => {
    expect(parseIPv6('::')).toBe(0n);
    expect(parseIPv6('::1')).toBe(1n);
    expect(parseIPv6('2001:db8::1')).toBe(0x20010db8000000000000000000000001n);
    expect(parseIPv6('::ffff:192.0.2.1')).toBe(0xffffc0000201n);
  });
  it('refuses malformed text', () => {
    for (const bad of ['1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', ':::', 'g::1', '1:2:3:4:5:6:7']) {
      expect(parseIPv6(bad)).toBeUndefined();
    }
  });
  it('formats per RFC 5952', () => {
    expect(formatIPv6(0n)).toBe('::');
    expect(formatIPv6(1n)).toBe('::1');
    expect(formatIPv6(parseIPv6('2001:0db8:0000:0000:0001:0000:0000:0001')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(parseIPv6('2001:db8:0:1:1:1:1:1')!)).toBe('2001:db8:0:1:1:1:1:1');
  });
});

describe('order and prefixes', () => {
  it('orders numerically, IPv4 before IPv6', () => {
    const sorted = ['10.0.0.10', '::1', '10.0.0.9', '9.255.255.255'].map(ip).sort(compareIp).map(formatIp);
    expect(sorted).toEqual(['9.255.255.255', '10.0.0.9', '10.0.0.10', '::1']);
  });
  it('computes /N containment for both families', () => {
    expect(formatPrefix(prefixOf(ip('198.51.100.77'), 24))).toBe('198.51.100.0/24');
    expect(formatPrefix(prefixOf(ip('2001:db8:abcd:12::5'), 48))).toBe('2001:db8:abcd::/48');
    const net = parsePrefix('198.51.100.0/24')!;
    expect(prefixContains(net, ip('198.51.100.255'))).toBe(true);
    expect(prefixContains(net, ip('198.51.101.0'))).toBe(false);
    expect(prefixContains(net, ip('::1'))).toBe(false);
    expect(parsePrefix('198.51.100.1/24')).toBeUndefined();
    expect(parsePrefix('10.0.0.0/33')).toBeUndefined();
  });
});
