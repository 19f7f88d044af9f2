/**
 * Spreading a counter over time bins in proportion to overlap, conserving the total exactly.
 *
 * One rule for every time series in netledger (fwctl samples, ledger series): a record whose counters
 * cover `[start, end)` gives each bin the share of its counters that matches the share of the interval the
 * bin overlaps. Shares are computed from cumulative overlap with floor division, so the shares of one record
 * always add up to the record's value exactly (no unit is lost or invented by rounding), and a record that
 * lies wholly inside one bin goes to that bin untouched.
 */

export interface BinGrid {
  /** Epoch seconds where bin 0 starts. */
  origin: number;
  /** Bin width in seconds (> 0). */
  width: number;
}

/** Index of the bin holding instant `t` (bins are half-open `[origin + i·width, origin + (i+1)·width)`). */
export function binIndex(grid: BinGrid, t: number): number {
  return Math.floor((t - grid.origin) / grid.width);
}

/**
 * Calls `emit(binIndex, share)` for every bin that `[start, end)` overlaps, with integer shares of `value`
 * summing to `value`. A zero-length interval (`start === end`) is an instant: it belongs wholly to the bin
 * holding `start`. Times are epoch seconds; they are scaled to integer milliseconds so the arithmetic is
 * exact in bigint.
 */
export function apportion(
  grid: BinGrid,
  start: number,
  end: number,
  value: bigint,
  emit: (bin: number, share: bigint) => void,
): void {
  if (end < start) throw new RangeError(`interval ends before it starts: [${start}, ${end})`);
  const first = binIndex(grid, start);
  if (end === start) {
    emit(first, value);
    return;
  }
  // The bin holding the end instant: an interval ending exactly on an edge does not reach the next bin.
  const last = Math.ceil((end - grid.origin) / grid.width) - 1;
  if (first === last) {
    emit(first, value);
    return;
  }
  const startMs = BigInt(Math.round(start * 1000));
  const endMs = BigInt(Math.round(end * 1000));
  const spanMs = endMs - startMs;
  let given = 0n;
  for (let bin = first; bin <= last; bin++) {
    const binEndMs = bin === last ? endMs : BigInt(Math.round((grid.origin + (bin + 1) * grid.width) * 1000));
    const covered = binEndMs - startMs;
    const cumulative = bin === last ? value : (value * covered) / spanMs;
    const share = cumulative - given;
    given = cumulative;
    if (share !== 0n || bin === first) emit(bin, share);
  }
}
