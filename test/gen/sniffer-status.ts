/**
 * Seeded Sniffer status files: remote IPs clustered in /24s, host names under a handful of domains,
 * counters in the ranges a daemon writes. Used by tests (small) and the benchmark (1M IPs).
 */
import type { DaemonHeader, SnifferEntry } from '../../src/sources/sniffer/status.js';
import { SeededRandom } from './random.js';

export interface StatusOptions {
  ips: number;
  /** Average IPs per /24 (clustering); default 4. */
  perCidr?: number;
  /** Share of IPs with reverse-DNS names; default 0.8. */
  namedShare?: number;
  /** Share of IPv6 addresses; default 0. */
  ipv6Share?: number;
  /**
   * Keep clear of the original's known defects, so its output can serve as a golden file: the last /24
   * in string order holds one IP, every /24 of a domain uses the same first host name (so by_name's
   * merges are adjacent), and no two groups tie on whole bytes per second.
   */
  avoidLegacyDefects?: boolean;
}

const DOMAINS = [
  'example.com',
  'example.net',
  'example.co.uk',
  'example.com.au',
  'isp.example.org',
  'cdn.example',
];
const START = 1145923212;

export function generateStatus(
  seed: number,
  options: StatusOptions,
): { header: DaemonHeader; entries: SnifferEntry[] } {
  const random = new SeededRandom(seed);
  const perCidr = options.perCidr ?? 4;
  const namedShare = options.namedShare ?? 0.8;
  const ipv6Share = options.ipv6Share ?? 0;
  const avoid = options.avoidLegacyDefects ?? false;
  const entries: SnifferEntry[] = [];
  const seen = new Set<string>();
  const usedPerSecond = new Set<number>();
  const current = START + 3600;
  while (entries.length < options.ips) {
    const v6 = random.next() < ipv6Share;
    const a = random.int(1, 98); // below 99: the avoid mode reserves 99.99.99.99 as the last key
    const prefix = v6
      ? `2001:db8:${a.toString(16)}:${random.int(0, 0xffff).toString(16)}::`
      : `${a}.${random.int(0, 255)}.${random.int(0, 255)}.`;
    const size = Math.min(options.ips - entries.length, random.int(1, perCidr * 2 - 1));
    const domain = random.pick(DOMAINS);
    const named = random.next() < namedShare;
    for (let i = 0; i < size; i++) {
      const host = random.int(1, 254);
      const ip = v6 ? `${prefix}${host.toString(16)}` : `${prefix}${host}`;
      if (seen.has(ip)) continue;
      seen.add(ip);
      const hostName = avoid ? `www.${domain}` : `h${random.int(1, 999)}.${domain}`;
      let bytesPerHour = random.pareto(3600, 1.2, 3600 * 1_000_000);
      if (avoid) {
        // Whole bytes per second stay unique, so the report order never falls back to hash order.
        let perSecond = Math.floor(bytesPerHour / 3600);
        while (usedPerSecond.has(perSecond)) perSecond++;
        usedPerSecond.add(perSecond);
        bytesPerHour = perSecond * 3600 + random.int(0, 3599);
      }
      entries.push({
        ip,
        bytes: random.int(0, 100_000),
        count: random.int(1, 500),
        lastUpdate: current - random.int(0, 3600),
        names: named ? (random.next() < 0.1 ? [hostName, `alias.${domain}`] : [hostName]) : [],
        ratePerHour: random.pareto(60, 1.5, 1_000_000),
        start: START,
        ptrExpiry: named ? current + random.int(0, 86400) : 0,
        bytesPerHour,
      });
    }
  }
  if (avoid) {
    entries.push({
      ip: '99.99.99.99',
      bytes: 1,
      count: 1,
      lastUpdate: current,
      names: [],
      ratePerHour: 1,
      start: START,
      ptrExpiry: 0,
      bytesPerHour: 0,
    });
  }
  const header: DaemonHeader = {
    version: '0.36',
    start: START,
    current,
    hitsPerMinute: entries.reduce((sum, entry) => sum + entry.ratePerHour, 0) / 60,
    bytesPerSecond: entries.reduce((sum, entry) => sum + entry.bytesPerHour, 0) / 3600,
    device: 'eth0',
    promiscuous: false,
    bpf: 'dst host 192.0.2.53 and udp port 53',
  };
  return { header, entries };
}
