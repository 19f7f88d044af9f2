/**
 * `top` and `series` written once over a backend's {@link LedgerStore}: the store sums in SQL, the
 * aggregate layer maps values to keys (CIDR, domain), ranks, and splits records across bins.
 */
import { isIdentityKey, keyMapper } from '../aggregate/keys.js';
import {
  foldTotals,
  SeriesAccumulator,
  topTotals,
  type GroupTotal,
  type SeriesPoint,
} from '../aggregate/totals.js';
import { binIndex, type BinGrid } from '../aggregate/timebins.js';
import type { LedgerStore, SeriesQuery, TopQuery } from './types.js';

export async function topFromStore(store: LedgerStore, query: TopQuery): Promise<GroupTotal[]> {
  const window = { since: query.since, until: query.until };
  // An identity key can be ranked and cut by the store; CIDR and domain keys are merged here first.
  const storeLimit = isIdentityKey(query.by) ? query.limit : undefined;
  const rows = await store.groupTotals(query.by.fields, window, storeLimit);
  return topTotals(foldTotals(query.by, rows), query.limit);
}

/**
 * Bins are aligned to the epoch (UTC). The window is widened to whole bins, so every reported bin is
 * complete: it holds every record's share that falls in it.
 */
export async function seriesFromStore(store: LedgerStore, query: SeriesQuery): Promise<SeriesPoint[]> {
  const grid: BinGrid = { origin: 0, width: query.binSeconds };
  const firstBin = query.since === undefined ? -Infinity : binIndex(grid, query.since);
  const lastBin = query.until === undefined ? Infinity : Math.ceil(query.until / grid.width) - 1;
  const window = {
    since: query.since === undefined ? undefined : firstBin * grid.width,
    until: query.until === undefined ? undefined : (lastBin + 1) * grid.width,
  };
  let values: string[] | undefined;
  if (query.limit !== undefined) {
    // Rank keys as `top` does, then fetch only the stored values that map to the kept keys.
    const rows = await store.groupTotals(query.by.fields, window);
    const kept = new Set(topTotals(foldTotals(query.by, rows), query.limit).map((total) => total.key));
    const toKey = keyMapper(query.by);
    values = rows.map((row) => row.key).filter((value) => kept.has(toKey(value) ?? ''));
    if (values.length === 0) return [];
  }
  const series = new SeriesAccumulator(grid, query.by);
  for (const row of await store.binnedTotals(query.by.fields, query.binSeconds, window, values))
    series.addBinned(row);
  for await (const rows of store.spanningRows(query.by.fields, query.binSeconds, window, values)) {
    for (const row of rows) series.addSpanning(row);
  }
  return series.points(firstBin, lastBin);
}
