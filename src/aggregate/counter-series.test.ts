import { describe, expect, it } from 'vitest';
import { CounterSeries, ExactSums } from './counter-series.js';

const t0 = 954583200; // 2000-04-01 10:00:00 UTC
const HOUR = 3600;

function hourly(windowEnd = t0 + 3 * HOUR): CounterSeries {
  return new CounterSeries({ grid: { origin: t0, width: HOUR }, windowStart: t0, windowEnd });
}

function bins(series: CounterSeries, count = 3): { packets: bigint[]; bytes: bigint[] } {
  const packets = series.packets(0);
  const bytes = series.bytes(0);
  return {
    packets: Array.from({ length: count }, (_, i) => packets.get(i)),
    bytes: Array.from({ length: count }, (_, i) => bytes.get(i)),
  };
}

describe('ExactSums', () => {
  it('stays exact past 2^53 by spilling into bigint', () => {
    const sums = new ExactSums();
    sums.add(3, Number.MAX_SAFE_INTEGER);
    sums.add(3, 10);
    sums.add(3, 5n);
    expect(sums.get(3)).toBe(BigInt(Number.MAX_SAFE_INTEGER) + 15n);
    expect(sums.get(0)).toBe(0n);
    expect(sums.get(99)).toBe(0n);
    expect(sums.length).toBe(4);
  });
  it('keeps bigint values below 2^53 in the fast array', () => {
    const sums = new ExactSums();
    sums.add(0, 5n);
    sums.add(0, 7);
    expect(sums.get(0)).toBe(12n);
  });
});

describe('CounterSeries: every interpolation branch, hand-computed', () => {
  it('same bucket: an interval inside one sample goes to it whole', () => {
    const series = hourly();
    series.add(0, t0 + 600, t0 + 1200, 7, 7001);
    expect(bins(series)).toEqual({ packets: [7n, 0n, 0n], bytes: [7001n, 0n, 0n] });
  });

  it('a dump exactly on a boundary belongs wholly to the sample ending there', () => {
    const series = hourly();
    series.add(0, t0, t0 + HOUR, 1200, 960000);
    expect(bins(series)).toEqual({ packets: [1200n, 0n, 0n], bytes: [960000n, 0n, 0n] });
  });

  it('next bucket: 10:40 to 11:10 gives 2/3 to 10:00 and 1/3 to 11:00', () => {
    const series = hourly();
    series.add(0, t0 + 2400, t0 + 4200, 10, 3000);
    // packets: floor(10 * 1200 / 1800) = 6 before 11:00, the remaining 4 after.
    expect(bins(series)).toEqual({ packets: [6n, 4n, 0n], bytes: [2000n, 1000n, 0n] });
  });

  it('skipped buckets: 10:30 to 12:30 spreads over three samples, conserving an odd total', () => {
    const series = hourly();
    series.add(0, t0 + 1800, t0 + 2 * HOUR + 1800, 7, 4000);
    // cumulative floor(7 * 1800/7200) = 1, floor(7 * 5400/7200) = 5, then 7.
    expect(bins(series)).toEqual({ packets: [1n, 4n, 2n], bytes: [1000n, 2000n, 1000n] });
  });

  it('before start: only the part after the window start counts', () => {
    const series = hourly();
    series.add(0, t0 - 1800, t0 + 1800, 9, 1000);
    // floor(9 * 1800/3600) = 4 before the window, 5 inside.
    expect(bins(series)).toEqual({ packets: [5n, 0n, 0n], bytes: [500n, 0n, 0n] });
    series.add(0, t0 - 2 * HOUR, t0 - HOUR, 5, 5);
    series.add(0, t0 - HOUR, t0, 5, 5); // ends on the start: wholly before
    expect(bins(series).packets).toEqual([5n, 0n, 0n]);
  });

  it('after end: the part past the window end is cut off in proportion', () => {
    const series = hourly(t0 + 2 * HOUR + 1800); // window ends 12:30
    series.add(0, t0 + 2 * HOUR, t0 + 3 * HOUR, 9, 1000);
    // floor(9 * 1800/3600) = 4 inside, 5 after the end.
    expect(bins(series)).toEqual({ packets: [0n, 0n, 4n], bytes: [0n, 0n, 500n] });
    series.add(0, t0 + 3 * HOUR, t0 + 4 * HOUR, 5, 5); // wholly after
    expect(bins(series).packets).toEqual([0n, 0n, 4n]);
  });

  it('an interval spanning the whole window keeps only its inside share, split by sample', () => {
    const series = hourly();
    series.add(0, t0 - HOUR, t0 + 4 * HOUR, 50, 5000);
    expect(bins(series)).toEqual({ packets: [10n, 10n, 10n], bytes: [1000n, 1000n, 1000n] });
  });
});
