import { describe, expect, it } from 'vitest';
import { SensorStats } from './stats.js';

// Hand-computed from the rules of Sniffer.xs `sniffit` (formats.md 1.3); see docs/sensor.md.
describe('R/W folding', () => {
  const packets: Array<[number, string, number]> = [
    [1000, 'A', 100],
    [1010, 'A', 100],
    [1020, 'A', 100],
    [1030, 'A', 100],
    [1040, 'A', 100],
    [1200, 'B', 390],
    [1400, 'A', 200], // A: E == S, C = 5, 400 s later: first fold divides by now - S = 400 (m = 9)
    [1500, 'A', 200],
    [1500, 'B', 390], // B: E + 300 = 1500 is not > 1500: fold by 3600 + 1500 - 1200 = 3900
    [1800, 'A', 50], // A: fold by 3600 + 1800 - 1400 = 4000 (m = 0.9)
  ];

  function replay(upTo: number): SensorStats {
    const stats = new SensorStats(1000);
    for (const [now, ip, length] of packets.slice(0, upTo)) stats.count(ip, length, now);
    return stats;
  }

  it('accumulates the first interval, keeping S as the collection start', () => {
    expect(replay(6).entries.get('A')).toEqual({
      ip: 'A',
      bytes: 500,
      count: 5,
      lastUpdate: 1000,
      names: [],
      ratePerHour: 0,
      start: 1000,
      ptrExpiry: 0,
      bytesPerHour: 0,
    });
    expect(replay(6).entries.get('B')).toMatchObject({ bytes: 390, count: 1, lastUpdate: 1200, start: 1000 });
  });

  it('folds the first interval of an entry seen at the start by now - S', () => {
    expect(replay(7).entries.get('A')).toMatchObject({
      ratePerHour: 45,
      bytesPerHour: 4500,
      lastUpdate: 1400,
      bytes: 200,
      count: 1,
    });
  });

  it('folds later intervals by 3600 + now - E', () => {
    const stats = replay(10);
    const a = stats.entries.get('A')!;
    expect([a.lastUpdate, a.bytes, a.count]).toEqual([1800, 50, 1]);
    expect(a.ratePerHour).toBeCloseTo(42.3, 12); // (45 + 2) * 3600 / 4000
    expect(a.bytesPerHour).toBeCloseTo(4410, 12); // (4500 + 400) * 0.9
    const b = stats.entries.get('B')!;
    expect(b.ratePerHour).toBeCloseTo(3600 / 3900, 12);
    expect(b.bytesPerHour).toBeCloseTo(360, 12); // 390 * 3600 / 3900
    expect([b.lastUpdate, b.bytes, b.count]).toEqual([1500, 390, 1]);
  });

  it('folds the global rates after 300 s, then every 60 s', () => {
    const afterFirst = replay(7);
    expect([afterFirst.rate, afterFirst.bw]).toEqual([54, 8010]); // 6 packets, 890 bytes, * 3600 / 400
    const stats = replay(10);
    expect(stats.rate).toBeCloseTo(((55 * 36) / 37 + 2) * (36 / 39), 9); // 51.2432…
    expect(stats.bw).toBeCloseTo(((8210 * 36) / 37 + 590) * (36 / 39), 9); // 7918.2536…
  });

  it('purges addresses idle for a day, once a day', () => {
    const stats = replay(10);
    stats.count('C', 60, 1000 + 86400); // first sweep due: A (E 1800) and B (E 1500) are idle for < 1 day
    expect(stats.purgeIfDue(1000 + 86400)).toBe(0);
    expect([...stats.entries.keys()].sort()).toEqual(['A', 'B', 'C']);
    stats.count('C', 60, 1801 + 2 * 86400); // next sweep: A and B idle for more than a day
    expect(stats.purgeIfDue(1801 + 2 * 86400)).toBe(2);
    expect([...stats.entries.keys()]).toEqual(['C']);
  });

  it('starts over on reset (SIGHUP)', () => {
    const stats = replay(10);
    stats.reset(5000);
    expect([stats.entries.size, stats.start, stats.rate, stats.bw]).toEqual([0, 5000, 0, 0]);
  });
});
