/**
 * ra-sum / `netledger argus sum` against the ground truth of generated captures converted by the real
 * argus: totals per MAC, per address and per policy class; idempotence (run twice = run once; two
 * overlapping halves = the whole); state expiry; both readers.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runArgusSum, type ArgusSumOptions } from '../../src/cli/argus-sum.js';
import { ARGUS_SUM_DEFAULTS } from '../../src/cli/argus-sum.js';
import { captureToArgus, truthBy, type ScenarioPacket, type Totals } from '../gen/argus-scenario.js';
import { makeArgusFixture, STATUS_SECONDS, type ArgusFixture } from './fixtures.js';

const POLICY = `# classes of the test scenario's remote networks
1  192.0.2.0/24
2  198.51.100.0/24
3  198.51.100.0/24    tcp   443
4  2001:db8:100::/48
5  2001:db8:100:1::/64
6  0.0.0.0/0          icmp
`;

/** The policy above, written out by hand as the ground truth's rule. */
function expectedClass(packet: ScenarioPacket): string {
  const ip = packet.remoteIp;
  if (ip.startsWith('192.0.2.')) return '1';
  if (ip.startsWith('198.51.100.')) return packet.proto === 6 && packet.remotePort === 443 ? '3' : '2';
  if (ip.startsWith('2001:db8:100:1:')) return '5';
  if (ip.startsWith('2001:db8:100:')) return '4';
  if (packet.proto === 1) return '6';
  return '0';
}

interface JsonReport {
  mac: string;
  total: Record<keyof Totals, number>;
  addresses?: Array<Record<keyof Totals, number> & { address: string }>;
  classes?: Array<Record<keyof Totals, number> & { class: number }>;
  counters: Record<string, number>;
}

let fixture: ArgusFixture;
let policyFile: string;

beforeAll(() => {
  fixture = makeArgusFixture({ seed: 21, flows: 240, spanSeconds: 120, maxFlowSeconds: 20 });
  policyFile = join(fixture.dir, 'policy.txt');
  writeFileSync(policyFile, POLICY);
});
afterAll(() => fixture.cleanup());

function options(overrides: Partial<ArgusSumOptions>): ArgusSumOptions {
  return {
    input: fixture.argusFile,
    mac: undefined,
    addresses: false,
    classes: false,
    policyFile: undefined,
    overhead: 42,
    binary: false,
    printState: false,
    counterCacheFormat: ARGUS_SUM_DEFAULTS.counterCacheFormat,
    addressCacheFormat: ARGUS_SUM_DEFAULTS.addressCacheFormat,
    compact: 0,
    timeoutSeconds: 2000,
    verbose: 0,
    format: 'json',
    reader: 'native',
    stateless: false,
    ...overrides,
  };
}

async function sum(overrides: Partial<ArgusSumOptions>): Promise<JsonReport> {
  return JSON.parse((await runArgusSum(options(overrides))).stdout) as JsonReport;
}

function asNumbers(totals: Totals): Record<keyof Totals, number> {
  return {
    inPackets: Number(totals.inPackets),
    inBytes: Number(totals.inBytes),
    outPackets: Number(totals.outPackets),
    outBytes: Number(totals.outBytes),
  };
}

function add(a: Record<keyof Totals, number>, b: Record<keyof Totals, number>): Record<keyof Totals, number> {
  return {
    inPackets: a.inPackets + b.inPackets,
    inBytes: a.inBytes + b.inBytes,
    outPackets: a.outPackets + b.outPackets,
    outBytes: a.outBytes + b.outBytes,
  };
}

let stateCounter = 0;
function freshState(): Pick<ArgusSumOptions, 'counterCacheFormat' | 'addressCacheFormat'> {
  stateCounter++;
  return {
    counterCacheFormat: join(fixture.dir, `state-${stateCounter}-%e`),
    addressCacheFormat: join(fixture.dir, `addresses-${stateCounter}-%E`),
  };
}

describe('ra-sum totals equal the capture', () => {
  it('per MAC, per address and per class, for every router', async () => {
    const packets = fixture.scenario.packets;
    for (const router of fixture.scenario.routers) {
      const mine = packets.filter((packet) => packet.routerMac === router);
      const report = await sum({ mac: router, addresses: true, classes: true, policyFile, ...freshState() });
      expect(report.total).toEqual(asNumbers(truthBy(mine, () => 'all').get('all')!));
      const byAddress = Object.fromEntries(
        [...truthBy(mine, (packet) => packet.localIp)].map(([key, totals]) => [key, asNumbers(totals)]),
      );
      expect(Object.fromEntries(report.addresses!.map(({ address, ...rest }) => [address, rest]))).toEqual(
        byAddress,
      );
      const byClass = Object.fromEntries(
        [...truthBy(mine, expectedClass)].map(([key, totals]) => [key, asNumbers(totals)]),
      );
      expect(Object.fromEntries(report.classes!.map(({ class: id, ...rest }) => [String(id), rest]))).toEqual(
        byClass,
      );
      expect(Object.keys(byClass).length).toBeGreaterThan(3);
    }
  });

  it('counts whole frames with --frame-bytes and any -p', async () => {
    const router = fixture.scenario.routers[1]!;
    const mine = fixture.scenario.packets.filter((packet) => packet.routerMac === router);
    const frames = await sum({ mac: router, overhead: 'frame', stateless: true });
    expect(frames.total).toEqual(asNumbers(truthBy(mine, () => 'all', 'frame').get('all')!));
    const zero = await sum({ mac: router, overhead: 0, stateless: true });
    expect(zero.total).toEqual(asNumbers(truthBy(mine, () => 'all', 0).get('all')!));
  });

  it('the ra reader gives the same report as the native reader', async () => {
    const router = fixture.scenario.routers[2]!;
    const native = await sum({ mac: router, classes: true, policyFile, stateless: true });
    const viaRa = await sum({ mac: router, classes: true, policyFile, stateless: true, reader: 'ra' });
    expect(viaRa).toEqual(native);
  });

  it('writes the billing stream with -b', async () => {
    const router = fixture.scenario.routers[0]!;
    const { stdout } = await runArgusSum(
      options({ mac: router, binary: true, classes: true, policyFile, stateless: true }),
    );
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]!.type).toBe('total');
    expect(lines.slice(1).every((line) => line.type === 'class' && line.mac === router)).toBe(true);
    const classSum = lines.slice(1).reduce((total, line) => total + (line.inBytes as number), 0);
    expect(classSum).toBe(lines[0]!.inBytes);
  });
});

describe('ra-sum is idempotent', () => {
  const router = () => fixture.scenario.routers[0]!;
  const truth = () =>
    asNumbers(
      truthBy(
        fixture.scenario.packets.filter((p) => p.routerMac === router()),
        () => 'all',
      ).get('all')!,
    );

  it('run twice = run once', async () => {
    const state = freshState();
    const first = await sum({ mac: router(), ...state });
    const stateFile = join(fixture.dir, `state-${stateCounter}-${'001b:210a:0b10'}`);
    const saved = readFileSync(stateFile);
    const second = await sum({ mac: router(), ...state });
    expect(first.total).toEqual(truth());
    expect(second.total).toEqual({ inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 });
    expect(second.counters.alreadyCounted).toBe(first.counters.matched);
    expect(readFileSync(stateFile)).toEqual(saved);
  });

  it('two overlapping halves = the whole', async () => {
    // Halves by flow start time: A holds the flows starting in the first 80 s, B those starting after 40 s.
    // argus runs on each half; flows starting in [40, 80) s are in both files.
    const t0 = 1_700_000_000;
    const flows = fixture.scenario.flows;
    const first = flows.filter((flow) => flow.start < t0 + 80).flatMap((flow) => flow.packets);
    const second = flows.filter((flow) => flow.start >= t0 + 40).flatMap((flow) => flow.packets);
    const fileA = join(fixture.dir, 'half-a.argus');
    const fileB = join(fixture.dir, 'half-b.argus');
    captureToArgus(first, join(fixture.dir, 'half-a.pcap'), fileA, ['-S', STATUS_SECONDS]);
    captureToArgus(second, join(fixture.dir, 'half-b.pcap'), fileB, ['-S', STATUS_SECONDS]);
    const state = freshState();
    const a = await sum({ mac: router(), input: fileA, ...state });
    const b = await sum({ mac: router(), input: fileB, ...state });
    expect(b.counters.alreadyCounted).toBeGreaterThan(0);
    expect(add(a.total, b.total)).toEqual(truth());
    // And again, in any order of reprocessing: nothing more is counted.
    const again = await sum({ mac: router(), input: fixture.argusFile, ...state });
    expect(again.total).toEqual({ inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 });
  });

  it('halves cut mid-flow by packet time never count a byte twice', async () => {
    // Halves by packet time: A holds the packets of the first 80 s, B those after 40 s. argus cuts the flows
    // that cross 40 s and 80 s differently in the two files: B's records straddling A's are skipped.
    const t0 = 1_700_000_000;
    const packets = fixture.scenario.packets;
    const fileA = join(fixture.dir, 'cut-a.argus');
    const fileB = join(fixture.dir, 'cut-b.argus');
    captureToArgus(
      packets.filter((p) => p.time < t0 + 80),
      join(fixture.dir, 'cut-a.pcap'),
      fileA,
      ['-S', STATUS_SECONDS],
    );
    captureToArgus(
      packets.filter((p) => p.time >= t0 + 40),
      join(fixture.dir, 'cut-b.pcap'),
      fileB,
      ['-S', STATUS_SECONDS],
    );
    const state = freshState();
    const a = await sum({ mac: router(), input: fileA, ...state });
    const b = await sum({ mac: router(), input: fileB, ...state });
    const both = add(a.total, b.total);
    const whole = truth();
    expect(b.counters.straddling).toBeGreaterThan(0);
    for (const key of Object.keys(whole) as Array<keyof typeof whole>) {
      expect(both[key]).toBeLessThanOrEqual(whole[key]);
      expect(both[key]).toBeGreaterThan(whole[key] * 0.8);
    }
  });

  it('-kkk leaves no state file when nothing is recorded', async () => {
    const state = freshState();
    const report = await sum({ mac: '02:00:00:00:00:99', compact: 3, ...state });
    expect(report.counters.matched).toBe(0);
    expect(existsSync(join(fixture.dir, `state-${stateCounter}-0200:0000:0099`))).toBe(false);
    await sum({ mac: '02:00:00:00:00:99', compact: 0, ...state });
    expect(existsSync(join(fixture.dir, `state-${stateCounter}-0200:0000:0099`))).toBe(true);
  });

  it('expires idle entries with -T and still never counts twice', async () => {
    const state = freshState();
    const first = await sum({ mac: router(), timeoutSeconds: 30, ...state });
    const stateFile = join(fixture.dir, `state-${stateCounter}-${'001b:210a:0b10'}`);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      macs: Record<string, { flows: Record<string, number[]>; horizonUs: number }>;
    };
    const entry = saved.macs['00:1b:21:0a:0b:10']!;
    expect(Object.keys(entry.flows).length).toBeLessThan(first.counters.matched!);
    expect(entry.horizonUs).toBeGreaterThan(0);
    const second = await sum({ mac: router(), timeoutSeconds: 30, ...state });
    expect(first.total).toEqual(truth());
    expect(second.total).toEqual({ inPackets: 0, inBytes: 0, outPackets: 0, outBytes: 0 });
    expect(second.counters.stale).toBeGreaterThan(0);
  });
});
