import { describe, expect, it } from 'vitest';
import { apportion, binIndex, type BinGrid } from './timebins.js';

const hourly: BinGrid = { origin: 954583200, width: 3600 };

function spread(start: number, end: number, value: bigint): Record<number, bigint> {
  const bins: Record<number, bigint> = {};
  apportion(hourly, start, end, value, (bin, share) => {
    bins[bin] = (bins[bin] ?? 0n) + share;
  });
  return bins;
}

describe('apportion', () => {
  const t0 = hourly.origin;
  it('keeps an interval inside one bin whole', () => {
    expect(spread(t0 + 10, t0 + 3000, 1234n)).toEqual({ 0: 1234n });
  });
  it('gives an interval ending exactly on an edge to the bin that ends there', () => {
    expect(spread(t0, t0 + 3600, 1200n)).toEqual({ 0: 1200n });
  });
  it('splits across the next bin in proportion', () => {
    // 11:30 to 12:30: half in bin 1, half in bin 2.
    expect(spread(t0 + 5400, t0 + 9000, 10n)).toEqual({ 1: 5n, 2: 5n });
  });
  it('spreads over skipped bins and conserves odd totals exactly', () => {
    const bins = spread(t0 + 1800, t0 + 4 * 3600 + 1800, 7n);
    expect(Object.values(bins).reduce((a, b) => a + b, 0n)).toBe(7n);
    expect(Object.keys(bins).map(Number)).toEqual([0, 1, 2, 3, 4]);
  });
  it('places an instant in the bin holding it, also before the origin', () => {
    expect(spread(t0 - 1, t0 - 1, 5n)).toEqual({ [-1]: 5n });
    expect(binIndex(hourly, t0 - 3600)).toBe(-1);
  });
  it('refuses an interval that ends before it starts', () => {
    expect(() => spread(t0 + 10, t0, 1n)).toThrow(/ends before it starts/);
  });
});
