import { describe, expect, it } from 'vitest';
import type { Counter } from '../model/record.js';
import { FWCTL_EXAMPLE } from '../../test/support/fwctl-example.js';
import { SeededRandom } from '../../test/gen/random.js';
import {
  FwctlAccounting,
  type FwctlAccountingOptions,
  type FwctlAccountingReport,
} from './fwctl-accounting.js';

const t0 = 954583200; // 2000-04-01 10:00:00 UTC
const HOUR = 3600;

interface Line {
  time: number;
  chain: string;
  name: string;
  packets: Counter;
  bytes: Counter;
}

/** Feeds dumps as the reader would: previous dump time per chain, names interned by index. */
function account(lines: readonly Line[], options: FwctlAccountingOptions): FwctlAccountingReport {
  const names: string[] = [];
  const accounting = new FwctlAccounting(options, names);
  const previous = new Map<string, number>();
  const chainIndex = new Map<string, number>();
  for (const line of lines) {
    if (!names.includes(line.name)) names.push(line.name);
    if (!chainIndex.has(line.chain)) chainIndex.set(line.chain, chainIndex.size);
    accounting.visit(
      line.time,
      previous.get(line.chain) ?? NaN,
      chainIndex.get(line.chain)!,
      names.indexOf(line.name),
      line.packets,
      line.bytes,
    );
    previous.set(line.chain, line.time);
  }
  return accounting.finish();
}

const parse = (text: string): Line[] =>
  text
    .trim()
    .split('\n')
    .map((line) => {
      const [time, chain, packets, bytes, name = ''] = line.split(' ');
      return { time: Number(time), chain: chain!, packets: Number(packets), bytes: Number(bytes), name };
    });

/** formats.md 2.5. */
const EXAMPLE = parse(FWCTL_EXAMPLE);

describe('formats.md 2.5 worked example, with the 2.6 semantics', () => {
  const options = { start: t0, period: 3 * HOUR, sample: HOUR } as const;

  it('gives web three samples 1200/600/300 and the summary 2100 / 1680000, avg 700 / 560000', () => {
    const report = account(EXAMPLE, { ...options, resolution: 'samples' });
    expect(report.sampleCount).toBe(3); // the original makes 4 (a sample starting at the end)
    const web = report.chains.find((chain) => chain.name === 'web')!;
    expect(web.samples).toEqual([
      { start: t0, packets: 1200n, bytes: 960000n },
      { start: t0 + HOUR, packets: 600n, bytes: 480000n },
      { start: t0 + 2 * HOUR, packets: 300n, bytes: 240000n },
    ]);
    expect(web).toMatchObject({ packetsSum: 2100n, bytesSum: 1680000n, packetsAvg: 700n, bytesAvg: 560000n });
  });

  it('spreads mail 11:00 to 12:30 over the interval since its previous dump (2/3, 1/3), not 50/50', () => {
    const report = account(EXAMPLE, { ...options, resolution: 'samples' });
    const mail = report.chains.find((chain) => chain.name === 'mail')!;
    expect(mail.samples!.map((sample) => [sample.packets, sample.bytes])).toEqual([
      [40n, 52000n],
      [6n, 8666n],
      [4n, 4334n],
    ]);
    expect(mail).toMatchObject({ packetsSum: 50n, bytesSum: 65000n, packetsAvg: 16n, bytesAvg: 21666n });
  });

  it('gives the same sums in summary resolution, chains sorted by name', () => {
    const summary = account(EXAMPLE, { ...options, resolution: 'summary' });
    expect(summary.chains).toEqual([
      { name: 'mail', packetsSum: 50n, bytesSum: 65000n, packetsAvg: 16n, bytesAvg: 21666n },
      { name: 'web', packetsSum: 2100n, bytesSum: 1680000n, packetsAvg: 700n, bytesAvg: 560000n },
    ]);
  });

  it('defaults the window to the first and the last record', () => {
    const report = account(EXAMPLE, { sample: HOUR, resolution: 'summary' });
    expect([report.start, report.end, report.sampleCount]).toEqual([t0, t0 + 2 * HOUR + 1800, 3]);
  });
});

describe('window and chains', () => {
  it("spreads a chain's first dump over the sample ending at it", () => {
    const lines = parse(`${t0 + 1800} acct0000 10 1000 web`);
    const report = account(lines, { start: t0 - HOUR, end: t0 + HOUR, sample: HOUR, resolution: 'samples' });
    // [09:30, 10:30): half in the 09:00 sample, half in the 10:00 sample.
    expect(report.chains[0]!.samples!.map((sample) => sample.packets)).toEqual([5n, 5n]);
  });

  it('keeps only the names asked for; the window still follows all records', () => {
    const report = account(EXAMPLE, {
      sample: HOUR,
      resolution: 'summary',
      keepName: (name) => name === 'mail',
    });
    expect(report.chains.map((chain) => chain.name)).toEqual(['mail']);
    expect(report.end).toBe(t0 + 2 * HOUR + 1800);
  });

  it('lists a chain seen only by its zero start-up line at the window start', () => {
    const report = account(parse(`${t0} acct0000 0 0 idle\n${t0 + HOUR} acct0001 5 5 busy`), {
      sample: HOUR,
      resolution: 'summary',
    });
    expect(report.chains.map((chain) => [chain.name, chain.packetsSum])).toEqual([
      ['busy', 5n],
      ['idle', 0n],
    ]);
  });

  it('groups chains with one name; the chain id keeps their intervals apart', () => {
    const lines = parse(
      `${t0} acct0000 0 0 dmz\n${t0 + 1800} acct0001 0 0 dmz\n${t0 + HOUR} acct0000 6 6 dmz\n${t0 + HOUR} acct0001 3 3 dmz`,
    );
    const report = account(lines, { start: t0, sample: HOUR, resolution: 'samples' });
    expect(report.chains).toHaveLength(1);
    expect(report.chains[0]!.packetsSum).toBe(9n);
  });

  it('reports no samples for an empty window', () => {
    const report = account([], { start: t0, sample: HOUR, resolution: 'summary' });
    expect(report).toEqual({
      start: t0,
      end: t0,
      sample: HOUR,
      sampleCount: 0,
      chains: [],
      hasRecords: false,
    });
  });
});

/** What a dump over [from, to) contributes to [lo, hi) under the 2.6 rule, computed directly. */
function insideShare(value: bigint, from: number, to: number, lo: number, hi: number): bigint {
  if (to <= lo || from >= hi) return 0n;
  let end = to;
  let inside = value;
  if (to > hi) {
    inside = (value * BigInt(hi - from)) / BigInt(to - from);
    end = hi;
  }
  if (from < lo) inside -= (inside * BigInt(lo - from)) / BigInt(end - from);
  return inside;
}

describe('property: samples sum to the summary, the summary is the raw sum of the deltas in the window', () => {
  it('holds for 200 seeded random streams', () => {
    const random = new SeededRandom(20001);
    for (let round = 0; round < 200; round++) {
      const chains = random.int(1, 5);
      const sample = [60, 300, 900, 3600, 5400, 86400][random.int(0, 5)]!;
      const lines: Line[] = [];
      let time = t0 + random.int(0, 7200);
      for (let i = 0, count = random.int(1, 120); i < count; i++) {
        time += random.int(0, 3) === 0 ? 0 : random.int(1, 4 * sample);
        const chain = random.int(0, chains - 1);
        if (lines.some((line) => line.time === time && line.chain === `acct${chain}`)) continue;
        const big = random.int(0, 20) === 0;
        lines.push({
          time,
          chain: `acct${chain}`,
          name: `n${chain % 3}`,
          packets: big ? 2n ** 60n + BigInt(random.int(0, 1000)) : random.int(0, 5000),
          bytes: random.int(0, 1e9),
        });
      }
      const first = lines[0]!.time;
      const last = lines.at(-1)!.time;
      const window: Partial<FwctlAccountingOptions> = {};
      if (random.next() < 0.6) window.start = first + random.int(-2 * sample, Math.max(0, last - first));
      if (random.next() < 0.3) window.period = random.int(1, 6 * sample);
      else if (random.next() < 0.5) window.end = (window.start ?? first) + random.int(1, 8 * sample);

      const samples = account(lines, { ...window, sample, resolution: 'samples' });
      const summary = account(lines, { ...window, sample, resolution: 'summary' });
      const { start: lo, end: hi } = summary;
      expect([samples.start, samples.end, samples.sampleCount]).toEqual([lo, hi, summary.sampleCount]);
      expect(summary.sampleCount).toBe(hi > lo ? Math.ceil((hi - lo) / sample) : 0);

      const expected = new Map<string, { packets: bigint; bytes: bigint }>();
      const previous = new Map<string, number>();
      for (const line of lines) {
        const from = previous.get(line.chain) ?? line.time - sample;
        previous.set(line.chain, line.time);
        if (!(line.time >= lo && from < hi)) continue;
        const sums = expected.get(line.name) ?? { packets: 0n, bytes: 0n };
        sums.packets += insideShare(BigInt(line.packets), from, line.time, lo, hi);
        sums.bytes += insideShare(BigInt(line.bytes), from, line.time, lo, hi);
        expected.set(line.name, sums);
      }
      const count = BigInt(summary.sampleCount);
      expect(summary.chains.map((chain) => chain.name)).toEqual([...expected.keys()].sort());
      for (const [index, chain] of summary.chains.entries()) {
        const want = expected.get(chain.name)!;
        expect([chain.packetsSum, chain.bytesSum]).toEqual([want.packets, want.bytes]);
        expect(chain.packetsAvg).toBe(count === 0n ? 0n : want.packets / count);
        const perSample = samples.chains[index]!;
        expect(perSample.name).toBe(chain.name);
        expect(perSample.samples!.reduce((sum, s) => sum + s.packets, 0n)).toBe(chain.packetsSum);
        expect(perSample.samples!.reduce((sum, s) => sum + s.bytes, 0n)).toBe(chain.bytesSum);
        expect(perSample.samples).toHaveLength(summary.sampleCount);
      }
    }
  });
});
