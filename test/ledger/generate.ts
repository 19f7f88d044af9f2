/**
 * Seeded record generator for the ledger tests and benchmark: small address pools (IPv4 and IPv6), flows
 * of 0–15 minutes so that many cross 5-minute bin edges, a few reverse-DNS names per address.
 */
import type { TrafficRecord } from '../../src/model/record.js';
import { seededRandom } from '../gen/random.js';

export { seededRandom };

export const BASE_TIME = 1_795_000_000; // 2026-11-18T11:06:40Z

const V4 = ['10.0.0.1', '10.0.0.2', '10.0.1.7', '10.1.2.3', '192.0.2.10', '198.51.100.20', '198.51.100.200'];
const V6 = ['2001:db8::1', '2001:db8::2', '2001:db8:0:1::5', '2001:db8:aa::1'];
const NAMES = [
  'www.example.com',
  'mail.example.com',
  'a.b.example.co.uk',
  'host.example.org',
  ':soa.example.net',
];
const PROTOS = ['tcp', 'udp', 'icmp'];
const MACS = ['00:11:22:33:44:55', '66:77:88:99:aa:bb', 'de:ad:be:ef:00:01'];

export function generateRecords(count: number, seed = 1, startAt = BASE_TIME): TrafficRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const records: TrafficRecord[] = [];
  for (let i = 0; i < count; i++) {
    const v6 = random() < 0.3;
    const start = startAt + Math.floor(random() * 3 * 3600) + Math.floor(random() * 1000) / 1000;
    const duration = random() < 0.1 ? 0 : Math.floor(random() * 900 * 1000) / 1000;
    const record: TrafficRecord = {
      start,
      end: start + duration,
      src: v6 ? pick(V6) : pick(V4),
      dst: v6 ? pick(V6) : pick(V4),
      sport: 1024 + Math.floor(random() * 60000),
      dport: pick([53, 80, 443, 8080]),
      proto: pick(PROTOS),
      packets: 1 + Math.floor(random() * 1000),
      bytes: 40 + Math.floor(random() * 1_500_000),
    };
    if (random() < 0.8) record.srcMac = pick(MACS);
    if (random() < 0.8) record.dstMac = pick(MACS);
    if (random() < 0.5) record.name = pick(['INPUT', 'OUTPUT', 'FORWARD']);
    if (random() < 0.5) record.sensor = pick(['s1', 's2']);
    if (random() < 0.7) record.extra = { srcName: pick(NAMES), dstName: pick(NAMES) };
    if (random() < 0.05) record.extra = { ...(record.extra ?? {}), rate: 12.5 };
    records.push(record);
  }
  return records;
}

/** NDJSON lines of records, bigint counters as decimal strings. */
export function toNdjson(records: readonly TrafficRecord[]): string {
  return records
    .map((record) =>
      JSON.stringify(record, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      ),
    )
    .map((line) => line + '\n')
    .join('');
}
