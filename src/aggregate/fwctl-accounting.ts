/**
 * The Fwctl::AcctReport computation with the semantics of formats.md 2.6 (the original's defects fixed):
 *
 * - the report covers `[start, end)` in `ceil((end - start) / sample)` samples; no sample starts at or
 *   after `end`. `start` defaults to the first dump, `end` to the last; `period` (from start) wins over `end`;
 * - a dump at T carries the delta since the previous dump of the same chain, or, for a chain's first dump,
 *   over the sample length ending at T; the delta is spread over that interval in proportion to time (so a
 *   dump taken on a sample boundary belongs wholly to the sample ending there), with exact integer shares;
 * - the samples of a chain sum to its summary exactly; averages are the integer quotient by the samples.
 *
 * Chains are reported by name (as the original: the chain id only tells counters apart). Fed one dump at a
 * time through `visit`, it keeps only per-name, per-sample sums.
 */
import type { Counter } from '../model/record.js';
import { CounterSeries } from './counter-series.js';

/** Width of the one bin of a summary whose end is not known yet: far past any record. */
const OPEN_ENDED_WIDTH = 1e12;

export interface FwctlAccountingOptions {
  /** Window start, epoch s; default: the first dump read. */
  start?: number;
  /** Window end, epoch s; default: the last dump read. Ignored when `period` is given. */
  end?: number;
  /** Window length from start, seconds. */
  period?: number;
  /** Sample length, seconds. */
  sample: number;
  /** 'summary' keeps one sum per chain; 'samples' keeps one per chain and sample. */
  resolution: 'summary' | 'samples';
  /** Which names to report (all when absent). */
  keepName?: (name: string) => boolean;
}

export interface FwctlSample {
  /** Sample start, epoch s. */
  start: number;
  packets: bigint;
  bytes: bigint;
}

export interface FwctlChainReport {
  name: string;
  packetsSum: bigint;
  bytesSum: bigint;
  packetsAvg: bigint;
  bytesAvg: bigint;
  /** Per sample (resolution 'samples' only). */
  samples?: FwctlSample[];
}

export interface FwctlAccountingReport {
  start: number;
  end: number;
  sample: number;
  sampleCount: number;
  /** Sorted by name. */
  chains: FwctlChainReport[];
  /** False when no dump was read at all (then start/end are NaN unless given). */
  hasRecords: boolean;
}

/**
 * @example
 * const accounting = new FwctlAccounting({ sample: 3600, resolution: 'samples' }, reader.chains.names);
 * await reader.forEach(accounting.visit);
 * const report = accounting.finish();
 */
export class FwctlAccounting {
  private series: CounterSeries | undefined;
  private start = Number.NaN;
  private end = Number.NaN;
  private last = Number.NaN;
  /** Per name index: 1 kept, 0 filtered out, undefined not decided yet. */
  private readonly kept: Array<0 | 1> = [];
  /** Per name index: some dump of it touches the window. */
  private readonly listed: boolean[] = [];

  constructor(
    private readonly options: FwctlAccountingOptions,
    /** Names by index, as the reader interns them (read lazily: it grows while reading). */
    private readonly names: readonly string[],
  ) {
    if (!(options.sample > 0)) throw new RangeError(`sample length must be positive, got ${options.sample}`);
  }

  /** Takes one dump (same shape as the fwctl reader's visitor); dumps arrive in time order. */
  readonly visit = (
    time: number,
    previous: number,
    _chain: number,
    name: number,
    packets: Counter,
    bytes: Counter,
  ): void => {
    if (this.series === undefined) this.begin(time);
    this.last = time;
    const kept = this.kept[name] ?? this.decide(name);
    if (kept === 0) return;
    const from = Number.isNaN(previous) ? time - this.options.sample : previous;
    if (time >= this.start && from < this.end) this.listed[name] = true;
    if (packets === 0 && bytes === 0) return;
    this.series!.add(name, from, time, packets, bytes);
  };

  finish(): FwctlAccountingReport {
    const hasRecords = this.series !== undefined;
    const start = hasRecords ? this.start : (this.options.start ?? Number.NaN);
    const end =
      hasRecords && Number.isFinite(this.end)
        ? this.end
        : this.resolveEnd(start, Number.isNaN(this.last) ? start : this.last);
    const sample = this.options.sample;
    const sampleCount = end > start ? Math.ceil((end - start) / sample) : 0;
    const count = BigInt(sampleCount);
    const chains: FwctlChainReport[] = [];
    for (let name = 0; name < this.listed.length; name++) {
      if (!this.listed[name]) continue;
      const packets = this.series!.packets(name);
      const bytes = this.series!.bytes(name);
      let packetsSum = 0n;
      let bytesSum = 0n;
      let samples: FwctlSample[] | undefined;
      if (this.options.resolution === 'samples') {
        samples = [];
        for (let index = 0; index < sampleCount; index++) {
          const sampleRow = {
            start: start + index * sample,
            packets: packets.get(index),
            bytes: bytes.get(index),
          };
          packetsSum += sampleRow.packets;
          bytesSum += sampleRow.bytes;
          samples.push(sampleRow);
        }
      } else {
        packetsSum = packets.get(0);
        bytesSum = bytes.get(0);
      }
      chains.push({
        name: this.names[name]!,
        packetsSum,
        bytesSum,
        packetsAvg: count === 0n ? 0n : packetsSum / count,
        bytesAvg: count === 0n ? 0n : bytesSum / count,
        ...(samples === undefined ? {} : { samples }),
      });
    }
    chains.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { start, end, sample, sampleCount, chains, hasRecords };
  }

  private resolveEnd(start: number, fallback: number): number {
    if (this.options.period !== undefined) return start + this.options.period;
    return this.options.end ?? fallback;
  }

  /** The first dump fixes the window (start defaults to it) and the bins. */
  private begin(firstTime: number): void {
    const { sample, resolution } = this.options;
    this.start = this.options.start ?? firstTime;
    const end = this.resolveEnd(this.start, Number.POSITIVE_INFINITY);
    this.end = end;
    let width = sample;
    if (resolution === 'summary') {
      const samples = Math.ceil((end - this.start) / sample);
      width = Number.isFinite(end) && samples > 0 ? samples * sample : OPEN_ENDED_WIDTH;
    }
    this.series = new CounterSeries({
      grid: { origin: this.start, width },
      windowStart: this.start,
      windowEnd: end,
    });
  }

  private decide(name: number): 0 | 1 {
    const keep = this.options.keepName === undefined || this.options.keepName(this.names[name]!) ? 1 : 0;
    this.kept[name] = keep;
    return keep;
  }
}
