/**
 * Per-group, per-bin packet and byte sums for counters that cover intervals (deltas between two dumps),
 * clipped to a window and spread over the bins with {@link apportion}: the one proportional rule.
 *
 * Built for streams of millions of intervals: sums live in typed arrays of doubles (exact while below
 * 2^53) and spill into bigint only when a bin outgrows that, so nothing is allocated per interval and no
 * unit is ever lost. An interval inside one bin (the common case) is added whole without any bigint work.
 */
import { toBigInt, type Counter } from '../model/record.js';
import { apportion, type BinGrid } from './timebins.js';

const MAX_EXACT = Number.MAX_SAFE_INTEGER;
const MAX_EXACT_BIG = BigInt(MAX_EXACT);

/** A growable array of exact non-negative integer sums. */
export class ExactSums {
  private values = new Float64Array(16);
  private overflow: Map<number, bigint> | undefined;
  /** One past the highest index written. */
  length = 0;

  add(index: number, value: Counter): void {
    if (index >= this.values.length) this.grow(index);
    if (index >= this.length) this.length = index + 1;
    const small = typeof value === 'number' ? value : value <= MAX_EXACT_BIG ? Number(value) : -1;
    if (small >= 0) {
      const sum = this.values[index]! + small;
      // A sum that is not exact in a double is above 2^53 - 1 (rounding only happens past it).
      if (sum <= MAX_EXACT) {
        this.values[index] = sum;
        return;
      }
    }
    this.addBig(index, toBigInt(value));
  }

  get(index: number): bigint {
    if (index >= this.length) return 0n;
    const small = BigInt(this.values[index]!);
    const big = this.overflow?.get(index);
    return big === undefined ? small : small + big;
  }

  private addBig(index: number, value: bigint): void {
    this.overflow ??= new Map();
    const carried = BigInt(this.values[index]!) + value;
    this.values[index] = 0;
    this.overflow.set(index, (this.overflow.get(index) ?? 0n) + carried);
  }

  private grow(index: number): void {
    let size = this.values.length * 2;
    while (size <= index) size *= 2;
    const values = new Float64Array(size);
    values.set(this.values);
    this.values = values;
  }
}

export interface CounterSeriesOptions {
  /** The bins. */
  grid: BinGrid;
  /** Only the part of an interval inside `[windowStart, windowEnd)` counts (windowEnd may be Infinity). */
  windowStart: number;
  windowEnd: number;
}

/**
 * Sums of packets and bytes per group and per bin of a grid. Shares outside the window, or in bins below 0,
 * are dropped; the part of an interval that crosses `windowEnd` is cut off in proportion first.
 *
 * @example
 * const series = new CounterSeries({ grid: { origin: t0, width: 3600 }, windowStart: t0, windowEnd: t0 + 10800 });
 * series.add(0, t0 + 1800, t0 + 5400, 10, 1000); // half to bin 0, half to bin 1
 * series.bytes(0).get(1); // 500n
 */
export class CounterSeries {
  private readonly packetSums: ExactSums[] = [];
  private readonly byteSums: ExactSums[] = [];
  private readonly origin: number;
  private readonly width: number;

  constructor(private readonly options: CounterSeriesOptions) {
    this.origin = options.grid.origin;
    this.width = options.grid.width;
  }

  /** Adds counters covering `[from, to)` (from < to) to `group`. */
  add(group: number, from: number, to: number, packets: Counter, bytes: Counter): void {
    const { windowStart, windowEnd } = this.options;
    if (to <= windowStart || from >= windowEnd) return;
    if (from >= windowStart && to <= windowEnd) {
      const first = Math.floor((from - this.origin) / this.width);
      // The bin holding the end: an interval ending on an edge belongs to the bin that ends there.
      const last = Math.ceil((to - this.origin) / this.width) - 1;
      if (first === last) {
        this.packets(group).add(first, packets);
        this.bytes(group).add(first, bytes);
        return;
      }
    }
    this.spread(this.packets(group), from, to, toBigInt(packets));
    this.spread(this.bytes(group), from, to, toBigInt(bytes));
  }

  packets(group: number): ExactSums {
    return (this.packetSums[group] ??= new ExactSums());
  }

  bytes(group: number): ExactSums {
    return (this.byteSums[group] ??= new ExactSums());
  }

  private spread(sums: ExactSums, from: number, to: number, value: bigint): void {
    if (value === 0n) return;
    let end = to;
    let inside = value;
    if (to > this.options.windowEnd) {
      // Cut at the window end with the same rule: a two-bin grid whose edge is the window end.
      end = this.options.windowEnd;
      inside = 0n;
      apportion({ origin: end, width: to - from }, from, to, value, (bin, share) => {
        if (bin < 0) inside += share;
      });
    }
    apportion(this.options.grid, from, end, inside, (bin, share) => {
      if (bin >= 0 && share !== 0n) sums.add(bin, share);
    });
  }
}
