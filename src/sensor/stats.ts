/**
 * The sensor's counters, exactly as Net::Connection::Sniffer 0.36 keeps them (`sniffit` in Sniffer.xs):
 * per remote IP a current interval (B bytes, C packets since E) folded every ≥300 s into smoothed
 * per-hour rates R and W, and global smoothed rates for the header (folded every ≥60 s after the first
 * 5 minutes). See formats.md 1.3 and docs/sensor.md for the formula with a worked example.
 */
import type { SnifferEntry } from '../sources/sniffer/status.js';

export const FOLD_DEFAULTS = {
  /** nxtupd: a per-IP interval closes after this many seconds. */
  intervalSeconds: 300,
  /** nxtrateupd: later global folds. */
  globalIntervalSeconds: 60,
  oneHour: 3600,
  oneDay: 86400,
} as const;

/** Global header rates: `hits` = rate/60 per minute, `bytes` = bw/3600 per second. */
export interface GlobalRates {
  /** rate: smoothed packets per hour. */
  rate: number;
  /** bw: smoothed bytes per hour. */
  bw: number;
}

export class SensorStats {
  readonly entries = new Map<string, SnifferEntry>();
  /** Collection start (daemon start or last reset). */
  start: number;
  /** Latest time seen ("now" of the last packet or tick). */
  now: number;
  rate = 0;
  bw = 0;
  /** ra, ba: packets and bytes of the current global interval. */
  private intervalPackets = 0;
  private intervalBytes = 0;
  /** next: when the current global interval closes; nextrate: its length. */
  private next: number;
  private nextRate: number = FOLD_DEFAULTS.intervalSeconds;
  private nextPurge: number;

  constructor(start: number, rates: GlobalRates = { rate: 0, bw: 0 }) {
    this.start = start;
    this.now = start;
    this.rate = rates.rate;
    this.bw = rates.bw;
    this.next = start + FOLD_DEFAULTS.intervalSeconds;
    this.nextPurge = start + FOLD_DEFAULTS.oneDay;
  }

  /** Counts one packet of `length` wire bytes for remote address `ip` at epoch second `now`. */
  count(ip: string, length: number, now: number): SnifferEntry {
    this.now = now;
    // Global averaging first (the original's rate/bw/ra/ba).
    if (this.next > now || (this.rate < 1 && this.intervalPackets < 5)) {
      this.intervalBytes += length;
      this.intervalPackets++;
    } else {
      const elapsed =
        this.rate < 1
          ? Math.max(1, now - this.start)
          : FOLD_DEFAULTS.oneHour + now + this.nextRate - this.next; // = 3600 + now - last fold
      const multiplier = FOLD_DEFAULTS.oneHour / elapsed;
      this.rate = (this.rate + this.intervalPackets) * multiplier;
      this.bw = (this.bw + this.intervalBytes) * multiplier;
      this.intervalBytes = length;
      this.intervalPackets = 1;
      this.next = now + FOLD_DEFAULTS.globalIntervalSeconds;
      this.nextRate = FOLD_DEFAULTS.globalIntervalSeconds;
    }
    let entry = this.entries.get(ip);
    if (entry === undefined) {
      // init_hv: S is the collection start, not the packet time.
      entry = {
        ip,
        bytes: length,
        count: 1,
        lastUpdate: now,
        names: [],
        ratePerHour: 0,
        start: this.start,
        ptrExpiry: 0,
        bytesPerHour: 0,
      };
      this.entries.set(ip, entry);
      return entry;
    }
    foldEntry(entry, length, now);
    return entry;
  }

  /** The daily sweep: IPs idle for a day (E + 86400 < now) are dropped. Returns how many. */
  purgeIfDue(now: number): number {
    if (now < this.nextPurge) return 0;
    this.nextPurge = now + FOLD_DEFAULTS.oneDay;
    let purged = 0;
    for (const [ip, entry] of this.entries) {
      if (entry.lastUpdate + FOLD_DEFAULTS.oneDay < now) {
        this.entries.delete(ip);
        purged++;
      }
    }
    return purged;
  }

  /** SIGHUP: clear everything and start collecting again at `now`. */
  reset(now: number): void {
    this.entries.clear();
    this.start = now;
    this.now = now;
    this.rate = 0;
    this.bw = 0;
    this.intervalBytes = 0;
    this.intervalPackets = 0;
    this.next = now + FOLD_DEFAULTS.intervalSeconds;
    this.nextRate = FOLD_DEFAULTS.intervalSeconds;
    this.nextPurge = now + FOLD_DEFAULTS.oneDay;
  }

  /** Restores entries read from a previous status file (restart resumes). */
  restore(entries: readonly SnifferEntry[]): void {
    for (const entry of entries) this.entries.set(entry.ip, { ...entry, names: [...entry.names] });
  }
}

/**
 * One packet for an existing entry: add to the open interval, or close it and fold it into R and W.
 *
 * The interval stays open while `E + 300 > now`, and also while the entry was first seen at the collection
 * start (`E == S`) with fewer than 5 packets. The first fold of such an entry divides by `now - S`, later
 * ones by `3600 + now - E`: R and W are "one hour's worth" plus the new interval, renormalised to per hour.
 */
export function foldEntry(entry: SnifferEntry, length: number, now: number): void {
  const last = entry.lastUpdate;
  if (last + FOLD_DEFAULTS.intervalSeconds > now || (last === entry.start && entry.count < 5)) {
    entry.bytes += length;
    entry.count++;
    return;
  }
  const elapsed = entry.start === last ? now - entry.start : FOLD_DEFAULTS.oneHour + now - last;
  const multiplier = FOLD_DEFAULTS.oneHour / elapsed;
  entry.ratePerHour = (entry.ratePerHour + entry.count) * multiplier;
  entry.bytesPerHour = (entry.bytesPerHour + entry.bytes) * multiplier;
  entry.lastUpdate = now;
  entry.bytes = length;
  entry.count = 1;
}
