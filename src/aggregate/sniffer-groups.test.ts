import { describe, expect, it } from 'vitest';
import type { SnifferEntry } from '../sources/sniffer/status.js';
import { SnifferTable } from '../sources/sniffer/table.js';
import { generateStatus } from '../../test/gen/sniffer-status.js';
import {
  groupByCidr24,
  groupByDomain,
  ipsOf,
  orderByBandwidth,
  subdomainOf,
  type SnifferGrouping,
} from './sniffer-groups.js';

/** The parts of a grouping the original's composite hash holds: key, R, W, E, A. */
const plain = (grouping: SnifferGrouping) =>
  grouping.groups().map((group, g) => ({
    key: group.key,
    ratePerHour: group.ratePerHour,
    bytesPerHour: group.bytesPerHour,
    lastUpdate: group.lastUpdate,
    ips: ipsOf(grouping, g),
  }));
const keysAndIps = (grouping: SnifferGrouping) =>
  grouping.groups().map((group, g) => [group.key, ipsOf(grouping, g)]);

const tableOf = (entries: SnifferEntry[]) => SnifferTable.fromEntries(entries);
const cidr24Of = (entries: SnifferEntry[]) => {
  const table = tableOf(entries);
  return { table, grouping: groupByCidr24(table) };
};
const domainOf = (entries: SnifferEntry[]) => {
  const table = tableOf(entries);
  return { table, grouping: groupByDomain(table, groupByCidr24(table)) };
};

const entry = (
  ip: string,
  ratePerHour: number,
  bytesPerHour: number,
  lastUpdate: number,
  names: string[] = [],
): SnifferEntry => ({
  ip,
  bytes: 0,
  count: 0,
  lastUpdate,
  names,
  ratePerHour,
  start: 0,
  ptrExpiry: 0,
  bytesPerHour,
});

describe('groupByCidr24', () => {
  it('groups the formats.md example as the original does', () => {
    const { grouping } = cidr24Of([
      entry('203.0.113.5', 10, 1800, 1145926800),
      entry('198.51.100.9', 60, 7200, 1145926000),
      entry('198.51.100.7', 120, 36000, 1145926700),
    ]);
    expect(plain(grouping)).toEqual([
      {
        key: '198.51.100.0/24',
        ratePerHour: 180,
        bytesPerHour: 43200,
        lastUpdate: 1145926700,
        ips: ['198.51.100.7', '198.51.100.9'],
      },
      {
        key: '203.0.113.0/24',
        ratePerHour: 10,
        bytesPerHour: 1800,
        lastUpdate: 1145926800,
        ips: ['203.0.113.5'],
      },
    ]);
    expect([grouping.totalRatePerHour, grouping.totalBytesPerHour]).toEqual([190, 45000]);
  });
  it('keeps the last /24 when it holds several IPs (the original drops it)', () => {
    const { grouping } = cidr24Of([
      entry('10.0.0.1', 1, 10, 5),
      entry('10.0.0.2', 2, 20, 6),
      entry('10.0.1.1', 4, 40, 7),
      entry('10.0.1.2', 8, 80, 8),
    ]);
    expect(grouping.groups().map((group) => [group.key, group.members.length])).toEqual([
      ['10.0.0.0/24', 2],
      ['10.0.1.0/24', 2],
    ]);
    expect([grouping.totalRatePerHour, grouping.totalBytesPerHour]).toEqual([15, 150]);
  });
  it('orders addresses numerically inside a group', () => {
    const { grouping } = cidr24Of([
      entry('10.0.0.10', 0, 0, 0),
      entry('10.0.0.9', 0, 0, 0),
      entry('10.0.0.100', 0, 0, 0),
    ]);
    expect(ipsOf(grouping, 0)).toEqual(['10.0.0.9', '10.0.0.10', '10.0.0.100']);
  });
  it('groups IPv6 addresses by /120', () => {
    const { grouping } = cidr24Of([
      entry('2001:db8::1', 0, 0, 0),
      entry('2001:db8::ff', 0, 0, 0),
      entry('2001:db8::100', 0, 0, 0),
    ]);
    expect(grouping.groups().map((group) => group.key)).toEqual(['2001:db8::/120', '2001:db8::100/120']);
  });
});

describe('subdomainOf', () => {
  it('takes name.ext, or name.com.cc for country domains, like by_name', () => {
    expect(subdomainOf('a.Example.COM')).toBe('example.com');
    expect(subdomainOf('www.example.com.au')).toBe('example.com.au');
    // .co.uk has a two-letter second level: the original's pattern needs three letters there.
    expect(subdomainOf('www.example.co.uk')).toBe('co.uk');
    expect(subdomainOf(':ns.example.net')).toBe('example.net');
    expect(subdomainOf('localhost')).toBe('localhost');
  });
});

describe('groupByDomain', () => {
  it('merges /24 groups of the same subdomain even when not adjacent in name order (the original overwrites)', () => {
    const entries = [
      entry('10.0.0.1', 60, 3600, 1, ['a.example.com']),
      entry('10.0.1.1', 120, 7200, 2, ['b.other.org']),
      entry('10.0.2.1', 180, 10800, 3, ['c.example.com']),
    ];
    const { grouping: byDomain } = domainOf(entries);
    expect(plain(byDomain)).toEqual([
      {
        key: 'example.com',
        ratePerHour: 240,
        bytesPerHour: 14400,
        lastUpdate: 3,
        ips: ['10.0.0.1', '10.0.2.1'],
      },
      { key: 'other.org', ratePerHour: 120, bytesPerHour: 7200, lastUpdate: 2, ips: ['10.0.1.1'] },
    ]);
  });
  it('lists a merged group in address order while A keeps name order', () => {
    const entries = [
      entry('10.0.9.1', 1, 1, 1, ['a.example.com']),
      entry('10.0.1.1', 1, 1, 1, ['b.example.com']),
    ];
    const { table, grouping } = domainOf(entries);
    expect(ipsOf(grouping, 0)).toEqual(['10.0.9.1', '10.0.1.1']);
    expect(Array.from(grouping.listing(0), (row) => table.ip(row))).toEqual(['10.0.1.1', '10.0.9.1']);
  });
  it('keeps groups without names apart', () => {
    const entries = [
      entry('10.0.0.1', 1, 1, 1),
      entry('10.0.1.1', 1, 1, 1),
      entry('10.0.2.1', 1, 1, 1, ['x.example.com']),
    ];
    const { grouping: byDomain } = domainOf(entries);
    expect(keysAndIps(byDomain)).toEqual([
      ['', ['10.0.0.1']],
      ['', ['10.0.1.1']],
      ['example.com', ['10.0.2.1']],
    ]);
  });
});

describe('orderByBandwidth', () => {
  it('orders by whole bytes per second, then by first address', () => {
    const { grouping } = cidr24Of([
      entry('10.0.2.1', 0, 7199, 0),
      entry('10.0.1.1', 0, 3600, 0),
      entry('10.0.3.1', 0, 10000, 0),
    ]);
    expect(Array.from(orderByBandwidth(grouping), (g) => grouping.key(g))).toEqual([
      '10.0.3.0/24',
      '10.0.1.0/24',
      '10.0.2.0/24',
    ]);
  });
});

describe('invariants on generated status files', () => {
  for (const seed of [11, 12, 13]) {
    it(`lists every IP exactly once, with totals equal to the listed sums (seed ${seed})`, () => {
      const { entries } = generateStatus(seed, { ips: 500, ipv6Share: 0.2, perCidr: 3 });
      const table = tableOf(entries);
      const byCidr24 = groupByCidr24(table);
      for (const grouping of [byCidr24, groupByDomain(table, byCidr24)]) {
        const groups = grouping.groups();
        const listed = groups.flatMap((_, g) => ipsOf(grouping, g)).sort();
        expect(listed).toEqual(entries.map((e) => e.ip).sort());
        const listedInOrder = groups.flatMap((group) => Array.from(group.listing, (row) => table.ip(row)));
        expect(listedInOrder.sort()).toEqual(listed);
        expect(groups.reduce((sum, group) => sum + group.bytesPerHour, 0)).toBe(grouping.totalBytesPerHour);
        expect(groups.reduce((sum, group) => sum + group.ratePerHour, 0)).toBe(grouping.totalRatePerHour);
        expect(grouping.totalBytesPerHour).toBe(entries.reduce((sum, e) => sum + e.bytesPerHour, 0));
      }
    });
  }
});
