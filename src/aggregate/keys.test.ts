import { describe, expect, it } from 'vitest';
import { keyMapper, parseGroupBy, registrableDomain } from './keys.js';

describe('parseGroupBy', () => {
  it('reads host as both address fields and cidr24 as /24 for IPv4, /120 for IPv6', () => {
    expect(parseGroupBy('host')).toEqual({ kind: 'host', label: 'host', fields: ['src', 'dst'] });
    expect(parseGroupBy('cidr24')).toMatchObject({ kind: 'cidr', prefixV4: 24, prefixV6: 120 });
  });
  it('applies cidr/N to both families, capped at 32 for IPv4, and cidr/N,M separately', () => {
    expect(parseGroupBy('cidr/48')).toMatchObject({ prefixV4: 32, prefixV6: 48 });
    expect(parseGroupBy('cidr/16,64')).toMatchObject({ prefixV4: 16, prefixV6: 64 });
  });
  it('refuses impossible prefixes and unknown keys', () => {
    expect(() => parseGroupBy('cidr/129')).toThrow(
      "invalid --by 'cidr/129': prefix lengths are 0..32 for IPv4 and 0..128 for IPv6",
    );
    expect(() => parseGroupBy('cidr/33,64')).toThrow('prefix lengths');
    expect(() => parseGroupBy('colour')).toThrow("invalid --by 'colour'");
  });
});

describe('keyMapper', () => {
  it('maps addresses to their prefix and drops what is not an address', () => {
    const toKey = keyMapper(parseGroupBy('cidr/20,56'));
    expect(toKey('10.1.47.9')).toBe('10.1.32.0/20');
    expect(toKey('2001:db8:aaaa:bbff::1')).toBe('2001:db8:aaaa:bb00::/56');
    expect(toKey('not-an-address')).toBeUndefined();
  });
  it('maps reverse-DNS names to their registrable domain', () => {
    expect(registrableDomain('a.b.example.co.uk.')).toBe('example.co.uk');
    expect(registrableDomain('WWW.Example.COM')).toBe('example.com');
    expect(registrableDomain(':soa.example.net')).toBeUndefined();
    expect(registrableDomain('localhost')).toBeUndefined();
  });
});
