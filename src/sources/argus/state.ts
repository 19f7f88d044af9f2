/**
 * The accounting state that makes ra-sum idempotent: which stretches of which flows have been counted.
 *
 * The original kept binary caches whose content changed the results (its BUGS section: reprocessing the
 * same data corrupts later intervals). netledger keeps, per customer MAC, for every flow identity (protocol
 * and the two endpoints, in canonical order) the merged time intervals [first, last packet] of the argus
 * records already counted. A record is
 * - new (counted) when its interval touches no counted interval,
 * - already counted (skipped) when counted intervals cover it,
 * - straddling when it overlaps a counted interval only in part (argus runs over overlapping captures cut
 *   a flow differently): skipped by default, so no byte is ever counted twice (the counter says how many),
 *   or with `prorate` counted for the uncovered share of its duration, an estimate.
 * Entries idle for longer than the timeout (`-T`, seconds of data time) are dropped when the state is
 * saved, and the *horizon* moves up to (newest time seen − timeout): records that end before the horizon are
 * refused as stale, so an expired entry can never let a record in twice. Process files in time order, or
 * raise `-T`.
 *
 * The file is JSON, written atomically (temp file + rename) only after a run succeeded; a lock file beside
 * it keeps two runs from interleaving.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { NetledgerError, ParseError, fromFsError } from '../../model/errors.js';
import { writeFileAtomic } from '../../io/atomic.js';

export const STATE_FORMAT = 'netledger-argus-state';
export const STATE_VERSION = 1;

export interface MacState {
  /** Records ending before this time (epoch µs) are stale. */
  horizonUs: number;
  /** Newest record end seen (epoch µs). */
  newestUs: number;
  /** Flow identity → merged counted intervals, flat and sorted: [start0, end0, start1, end1, …] (epoch µs). */
  flows: Map<string, number[]>;
  /** Addresses seen behind the MAC → [first, last] record time (epoch µs). */
  addresses: Map<string, [number, number]>;
}

export interface AccountingState {
  /** MAC in colon form → its state. */
  macs: Map<string, MacState>;
}

export function emptyMacState(): MacState {
  return { horizonUs: 0, newestUs: 0, flows: new Map(), addresses: new Map() };
}

export type Coverage =
  { kind: 'new' } | { kind: 'covered' } | { kind: 'stale' } | { kind: 'partial'; share: number };

/**
 * Decides how much of a record [startUs, endUs] of flow `key` is not yet counted. A new record is marked
 * counted at once; a partial one only when the caller counts it ({@link markCounted}).
 * `share` of a partial record is the uncovered fraction of its duration (0 < share < 1).
 */
export function claim(
  state: MacState,
  key: string,
  startUs: number,
  endUs: number,
  continuesAfter?: number,
): Coverage {
  if (endUs > state.newestUs) state.newestUs = endUs;
  if (endUs < state.horizonUs) return { kind: 'stale' };
  const intervals = state.flows.get(key);
  // Uncovered measure of [startUs, endUs] against the horizon and the counted intervals.
  let cursor = startUs;
  let uncovered = 0;
  let touched = startUs < state.horizonUs;
  if (touched) cursor = state.horizonUs;
  if (intervals !== undefined) {
    for (let index = 0; index < intervals.length && cursor <= endUs; index += 2) {
      const from = intervals[index]!;
      const to = intervals[index + 1]!;
      if (to < cursor) continue;
      if (from > endUs) break;
      touched = true;
      if (from > cursor) uncovered += from - cursor;
      cursor = to + 1;
    }
  }
  if (cursor <= endUs) uncovered += endUs - cursor + 1;
  if (!touched) {
    markCounted(state, key, startUs, endUs, continuesAfter);
    return { kind: 'new' };
  }
  if (uncovered === 0) return { kind: 'covered' };
  return { kind: 'partial', share: uncovered / (endUs - startUs + 1) };
}

/**
 * Adds [startUs, endUs] to the flow's intervals, merging overlapping ones. `continuesAfter` is the end of
 * the record this run counted last for the flow: when the flow's last interval ends there, no packet of
 * the flow lies between it and this record (argus reported them consecutively), so the interval is
 * stretched instead: a long flow's status records then cost one interval, not one each.
 */
export function markCounted(
  state: MacState,
  key: string,
  startUs: number,
  endUs: number,
  continuesAfter?: number,
): void {
  const intervals = state.flows.get(key);
  if (intervals === undefined) {
    state.flows.set(key, [startUs, endUs]);
    return;
  }
  const last = intervals.length - 1;
  if (continuesAfter !== undefined && intervals[last] === continuesAfter && continuesAfter < startUs) {
    intervals[last] = endUs;
    return;
  }
  const merged: number[] = [];
  let from = startUs;
  let to = endUs;
  let placed = false;
  for (let index = 0; index < intervals.length; index += 2) {
    const a = intervals[index]!;
    const b = intervals[index + 1]!;
    if (b < from) merged.push(a, b);
    else if (a > to) {
      if (!placed) merged.push(from, to);
      placed = true;
      merged.push(a, b);
    } else {
      from = Math.min(from, a);
      to = Math.max(to, b);
    }
  }
  if (!placed) merged.push(from, to);
  state.flows.set(key, merged);
}

/** Drops entries idle for longer than `timeoutUs` before the newest time and moves the horizon up. */
export function expire(state: MacState, timeoutUs: number): number {
  const horizon = state.newestUs - timeoutUs;
  if (horizon <= state.horizonUs) return 0;
  state.horizonUs = horizon;
  let dropped = 0;
  for (const [key, intervals] of state.flows) {
    const kept: number[] = [];
    for (let index = 0; index < intervals.length; index += 2) {
      if (intervals[index + 1]! >= horizon) kept.push(intervals[index]!, intervals[index + 1]!);
    }
    if (kept.length === 0) {
      state.flows.delete(key);
      dropped++;
    } else if (kept.length !== intervals.length) state.flows.set(key, kept);
  }
  for (const [address, [, last]] of state.addresses) if (last < horizon) state.addresses.delete(address);
  return dropped;
}

interface StateFile {
  format: string;
  version: number;
  macs: Record<
    string,
    {
      horizonUs: number;
      newestUs: number;
      flows: Record<string, number[]>;
      addresses: Record<string, [number, number]>;
    }
  >;
}

function corrupt(file: string, what: string): never {
  throw new ParseError(`not a netledger argus state file (${what})`, { file });
}

/** Loads a state file; a missing file is an empty state. */
export async function loadState(file: string): Promise<AccountingState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { macs: new Map() };
    throw fromFsError(error, file);
  }
  let parsed: StateFile;
  try {
    parsed = JSON.parse(text) as StateFile;
  } catch {
    return corrupt(file, 'not JSON');
  }
  if (parsed?.format !== STATE_FORMAT) corrupt(file, `format is not ${STATE_FORMAT}`);
  if (parsed.version !== STATE_VERSION) corrupt(file, `version ${parsed.version} is not ${STATE_VERSION}`);
  const macs = new Map<string, MacState>();
  for (const [mac, entry] of Object.entries(parsed.macs ?? {})) {
    if (typeof entry?.horizonUs !== 'number' || typeof entry.newestUs !== 'number')
      corrupt(file, `bad entry ${mac}`);
    macs.set(mac, {
      horizonUs: entry.horizonUs,
      newestUs: entry.newestUs,
      flows: new Map(Object.entries(entry.flows ?? {})),
      addresses: new Map(Object.entries(entry.addresses ?? {})),
    });
  }
  return { macs };
}

export function serializeState(state: AccountingState): string {
  const out: StateFile = { format: STATE_FORMAT, version: STATE_VERSION, macs: {} };
  for (const [mac, entry] of [...state.macs].sort(([a], [b]) => a.localeCompare(b))) {
    out.macs[mac] = {
      horizonUs: entry.horizonUs,
      newestUs: entry.newestUs,
      flows: Object.fromEntries(entry.flows),
      addresses: Object.fromEntries(entry.addresses),
    };
  }
  return JSON.stringify(out) + '\n';
}

/** Saves atomically; with `removeWhenEmpty` an empty state deletes the file instead (ra-sum `-kkk`). */
export async function saveState(
  file: string,
  state: AccountingState,
  removeWhenEmpty = false,
): Promise<void> {
  const empty = [...state.macs.values()].every(
    (entry) => entry.flows.size === 0 && entry.addresses.size === 0,
  );
  if (empty && removeWhenEmpty) {
    await rm(file, { force: true }).catch((error: unknown) => {
      throw fromFsError(error, file);
    });
    return;
  }
  await writeFileAtomic(file, serializeState(state));
}

/**
 * Takes `file.lock` (holding our pid) so that two runs never interleave on one state; a lock left by a
 * process that no longer exists is taken over. Returns the release function.
 */
export async function lockState(file: string): Promise<() => Promise<void>> {
  const lock = `${file}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx', 0o644);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return () => rm(lock, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fromFsError(error, lock);
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && processExists(holder)) {
        throw new NetledgerError('NL_ERR_LOCKED', `state file is in use by process ${holder}`, {
          position: { file },
        });
      }
      await rm(lock, { force: true });
    }
  }
  throw new NetledgerError('NL_ERR_LOCKED', 'could not take the state lock', { position: { file } });
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
