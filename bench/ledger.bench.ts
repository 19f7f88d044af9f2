/**
 * The ledger benchmark: ingest rate of generated flows into DuckDB, then `top --by host|src --limit 20`
 * over them, with peak memory. Where nfdump is installed, the same flows go to nfcapd as NetFlow v5 and
 * `nfdump -R DIR -s srcip/bytes -n 20` (and `-s ip/bytes`, the `--by host` equivalent) run side by side.
 *
 * NETLEDGER_BENCH_FLOWS sets the number of flows (default 10,000,000).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGroupBy } from '../src/aggregate/keys.js';
import { DuckDbLedger } from '../src/ledger/duckdb.js';
import { ingestFile } from '../src/ledger/ingest.js';
import type { TrafficRecord } from '../src/model/record.js';
import {
  fastestOf,
  measure,
  peakRssMiB,
  printMeasurement,
  timeCommand,
  type Measurement,
} from './lib/measure.js';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, 'out', 'ledger');
const FLOWS = Number(process.env.NETLEDGER_BENCH_FLOWS ?? 10_000_000);
const BATCH = 8192;
/**
 * Whole-process runs (netledger top, nfdump) are timed this many times and the fastest kept: the first
 * run after the files were written pays for the page cache either way.
 */
const PROCESS_RUNS = 3;
const DAY_START = 1_795_132_800; // 2026-11-20T00:00:00Z

/**
 * Flow number `i` of the bench set, deterministic and IPv4 only (NetFlow v5 carries IPv4): 65,536 sources
 * with a skewed popularity, 4,096 destinations, flows spread over one day, up to 5 minutes long.
 */
function flowAt(i: number, out: Flow): Flow {
  let x = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  const skew = (x & 0xffff) / 65536;
  out.src = SRC_BASE + Math.floor(skew * skew * 65536); // 10.0.0.0/16, low addresses busiest
  out.dst = DST_BASE + ((x >>> 4) & 0xfff); // 192.168.0.0/20
  out.sport = 1024 + (x % 60000);
  out.dport = [53, 80, 443, 8080][(x >>> 20) & 3]!;
  out.proto = (x >>> 22) & 1 ? 6 : 17;
  out.startMs = DAY_START * 1000 + Math.floor((i / FLOWS) * 86_400_000);
  out.durationMs = (x >>> 8) % 300_000;
  out.packets = 1 + ((x >>> 3) % 1000);
  out.bytes = 40 + (x % 1_500_000);
  return out;
}

interface Flow {
  src: number;
  dst: number;
  sport: number;
  dport: number;
  proto: number;
  startMs: number;
  durationMs: number;
  packets: number;
  bytes: number;
}

const newFlow = (): Flow => ({
  src: 0,
  dst: 0,
  sport: 0,
  dport: 0,
  proto: 0,
  startMs: 0,
  durationMs: 0,
  packets: 0,
  bytes: 0,
});

/**
 * Address texts made once per address, as a source that parses them would share equal strings anyway.
 * Indexed by the address' offset in its range (sources 10.0.0.0/16, destinations 192.168.0.0/20): an
 * array read, where a Map of 70,000 numbers cost about as much as the ledger's own lookups.
 */
const addressTexts = (base: number, count: number): string[] =>
  Array.from({ length: count }, (_, offset) => {
    const value = base + offset;
    return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
  });
const SRC_BASE = 0x0a000000;
const DST_BASE = 0xc0a80000;
const srcText = addressTexts(SRC_BASE, 65536);
const dstText = addressTexts(DST_BASE, 4096);

function toRecord(flow: Flow): TrafficRecord {
  return {
    start: flow.startMs / 1000,
    end: (flow.startMs + flow.durationMs) / 1000,
    src: srcText[flow.src - SRC_BASE]!,
    dst: dstText[flow.dst - DST_BASE]!,
    sport: flow.sport,
    dport: flow.dport,
    proto: flow.proto === 6 ? 'tcp' : 'udp',
    packets: flow.packets,
    bytes: flow.bytes,
  };
}

async function* batches(count: number): AsyncIterable<TrafficRecord[]> {
  const flow = newFlow();
  for (let base = 0; base < count; base += BATCH) {
    const size = Math.min(BATCH, count - base);
    const batch = new Array<TrafficRecord>(size);
    for (let i = 0; i < size; i++) batch[i] = toRecord(flowAt(base + i, flow));
    yield batch;
  }
}

const formatNumber = (value: number) => Math.round(value).toLocaleString('en');

/** CPU seconds of the main (JavaScript) thread so far, where Linux tells (utime + stime, USER_HZ 100). */
function javaScriptCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * {@link measure} plus its rate per CPU second and how the CPU time splits between the JavaScript thread
 * and the others (DuckDB's): the machine is shared, so wall time alone says little.
 */
async function measureCpu(
  label: string,
  unit: string,
  run: () => Promise<number>,
): Promise<Measurement & { cpuSeconds: number }> {
  const before = javaScriptCpuSeconds();
  const result = await measure(label, unit, run);
  const after = javaScriptCpuSeconds();
  const all = result.cpuSeconds ?? Number.NaN;
  const main = after === undefined || before === undefined ? undefined : after - before;
  console.log(
    `${'  per CPU second'.padEnd(48)} ${all.toFixed(3).padStart(8)} s  ${formatNumber(result.units / all).padStart(12)} ${unit}/cpu-s` +
      (main === undefined
        ? ''
        : `  (JavaScript thread ${main.toFixed(2)} s, other threads ${(all - main).toFixed(2)} s)`),
  );
  return { ...result, cpuSeconds: all };
}

const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
console.log(`flows: ${formatNumber(FLOWS)} (NETLEDGER_BENCH_FLOWS); load average ${loadAverage()}`);

// Making the record objects is the caller's cost, not the ledger's: time it alone first.
const generation = await measureCpu('generate records (no ledger)', 'records', async () => {
  let count = 0;
  for await (const batch of batches(FLOWS)) count += batch.length;
  return count;
});

const ledgerPath = join(OUT, 'bench.duckdb');
let ledger = await DuckDbLedger.open(ledgerPath);
const ingest = await measureCpu('ingest generated records into DuckDB', 'records', async () => {
  const outcome = await ledger.ingestSource(
    {
      identity: 'bench',
      path: 'generated',
      format: 'generated',
      fromOffset: 0,
      size: FLOWS,
      contentHash: 'bench',
    },
    batches(FLOWS),
  );
  return outcome.records;
});
const ledgerOnly = ingest.seconds - generation.seconds;
const ledgerCpu = ingest.cpuSeconds - generation.cpuSeconds;
console.log(
  `${'  ledger share (ingest minus generation)'.padEnd(48)} ${ledgerOnly.toFixed(3).padStart(8)} s  ${formatNumber(FLOWS / ledgerOnly).padStart(12)} records/s`,
);
console.log(
  `${'  ledger share of CPU'.padEnd(48)} ${ledgerCpu.toFixed(3).padStart(8)} s  ${formatNumber(FLOWS / ledgerCpu).padStart(12)} records/cpu-s`,
);
await ledger.close();
console.log(`  ledger file: ${(statSync(ledgerPath).size / 2 ** 20).toFixed(0)} MiB`);

// The same path as `netledger ingest` on NDJSON, on a tenth of the flows (bench/ingest times every format,
// each in a process of its own).
const ndjsonCount = Math.max(1, Math.floor(FLOWS / 10));
const ndjsonPath = join(OUT, 'flows.ndjson');
{
  // Written a batch at a time: the whole text in memory would add about 400 MiB to this process' peak.
  writeFileSync(ndjsonPath, '');
  for await (const batch of batches(ndjsonCount)) {
    let text = '';
    for (const record of batch) text += JSON.stringify(record) + '\n';
    appendFileSync(ndjsonPath, text);
  }
}
{
  const ndjsonLedger = await DuckDbLedger.open(join(OUT, 'ndjson.duckdb'));
  await measureCpu('ingest NDJSON file (netledger ingest path)', 'records', async () => {
    const outcome = await ingestFile(ndjsonLedger, ndjsonPath);
    return outcome.records;
  });
  await ndjsonLedger.close();
}

ledger = await DuckDbLedger.open(ledgerPath);
const ours: Record<string, number> = {};
for (const by of ['host', 'src']) {
  const top = await measure(`top --by ${by} --limit 20 (library)`, 'flows', async () => {
    const rows = await ledger.top({ by: parseGroupBy(by), limit: 20 });
    if (by === 'src') console.log(`  top src: ${rows[0]?.key} ${rows[0]?.bytes} bytes`);
    return FLOWS;
  });
  ours[by] = top.seconds;
}
await measure('series --by src --bin 1h --limit 20 (library)', 'flows', async () => {
  await ledger.series({ by: parseGroupBy('src'), binSeconds: 3600, limit: 20 });
  return FLOWS;
});
await ledger.close();
const bin = join(here, '..', 'bin', 'netledger.js');
for (const by of ['host', 'src']) {
  const run = fastestOf(PROCESS_RUNS, () =>
    timeCommand(bin, ['top', '--ledger', ledgerPath, '--by', by, '--limit', '20']),
  );
  if (run === undefined || run.status !== 0) {
    console.log(`netledger top failed: ${run?.stderr ?? 'not run'}`);
    continue;
  }
  printMeasurement(
    {
      label: `netledger top --by ${by} --limit 20 (process)`,
      seconds: run.seconds,
      units: FLOWS,
      unit: 'flows',
    },
    `CPU ${run.cpuSeconds.toFixed(2)} s, peak ${run.peakMiB.toFixed(0)} MiB, fastest of ${PROCESS_RUNS}`,
  );
  ours[`${by}-process`] = run.seconds;
}

await compareWithNfdump();
console.log(`peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB; load average ${loadAverage()}`);

/**
 * Sends the same flows to nfcapd as NetFlow v5 (30 flows per datagram) and times nfdump over the file.
 */
async function compareWithNfdump(): Promise<void> {
  const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (!has('nfdump') || !has('nfcapd')) {
    console.log('nfdump/nfcapd not installed (Debian package nfdump): no peer comparison');
    return;
  }
  const dir = join(OUT, 'nfcapd');
  mkdirSync(dir, { recursive: true });
  const port = 20000 + (process.pid % 20000);
  const collector = spawn(
    'nfcapd',
    ['-w', dir, '-p', String(port), '-b', '127.0.0.1', '-B', '16777216', '-t', '86400'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let collectorMessages = '';
  collector.stderr.on('data', (chunk: Buffer) => (collectorMessages += chunk.toString()));
  const exited = new Promise((resolve) => collector.once('exit', resolve));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  if (collector.exitCode !== null || collector.signalCode !== null) {
    // E.g. its port taken by another run: say so instead of waiting for a collector that is gone.
    console.log(
      `nfcapd exited at start (${collector.exitCode ?? collector.signalCode}): ${collectorMessages.trim()}`,
    );
    return;
  }
  const socket = createSocket('udp4');
  const exportSecs = DAY_START + 2 * 86_400;
  const uptimeMs = 3 * 86_400_000;
  const datagram = Buffer.alloc(24 + 30 * 48);
  const flow = newFlow();
  let sequence = 0;
  const started = process.hrtime.bigint();
  for (let base = 0; base < FLOWS; base += 30) {
    const count = Math.min(30, FLOWS - base);
    datagram.writeUInt16BE(5, 0);
    datagram.writeUInt16BE(count, 2);
    datagram.writeUInt32BE(uptimeMs, 4);
    datagram.writeUInt32BE(exportSecs, 8);
    datagram.writeUInt32BE(0, 12);
    datagram.writeUInt32BE(sequence, 16);
    sequence += count;
    for (let i = 0; i < count; i++) {
      flowAt(base + i, flow);
      const at = 24 + i * 48;
      datagram.fill(0, at, at + 48);
      datagram.writeUInt32BE(flow.src, at);
      datagram.writeUInt32BE(flow.dst, at + 4);
      datagram.writeUInt32BE(flow.packets, at + 16);
      datagram.writeUInt32BE(flow.bytes, at + 20);
      datagram.writeUInt32BE(uptimeMs - (exportSecs * 1000 - flow.startMs), at + 24);
      datagram.writeUInt32BE(uptimeMs - (exportSecs * 1000 - flow.startMs - flow.durationMs), at + 28);
      datagram.writeUInt16BE(flow.sport, at + 32);
      datagram.writeUInt16BE(flow.dport, at + 34);
      datagram.writeUInt8(flow.proto, at + 38);
    }
    await new Promise<void>((resolve, reject) =>
      socket.send(datagram.subarray(0, 24 + count * 48), port, '127.0.0.1', (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    // Pace the sender so that the collector's socket buffer does not overflow.
    if ((base / 30) % 256 === 255) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  socket.close();
  const sendSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await new Promise((resolve) => setTimeout(resolve, 2000));
  collector.kill('SIGTERM');
  await exited;
  console.log(`  sent ${formatNumber(FLOWS)} flows to nfcapd as NetFlow v5 in ${sendSeconds.toFixed(1)} s`);
  const files = readdirSync(dir).filter((name) => name.startsWith('nfcapd.'));
  console.log(`  nfcapd files: ${files.join(', ')}`);
  for (const [ours_, stat] of [
    ['src', 'srcip/bytes'],
    ['host', 'ip/bytes'],
  ] as const) {
    const peer = fastestOf(PROCESS_RUNS, () =>
      timeCommand('nfdump', ['-R', dir, '-s', stat, '-n', '20', '-q']),
    );
    if (peer === undefined) continue;
    const flowsSeen = /total flows: (\d+)/i.exec(peer.stdout)?.[1];
    printMeasurement(
      { label: `nfdump -R DIR -s ${stat} -n 20`, seconds: peer.seconds, units: FLOWS, unit: 'flows' },
      `CPU ${peer.cpuSeconds.toFixed(2)} s, nfdump peak ${peer.peakMiB.toFixed(0)} MiB, fastest of ${PROCESS_RUNS}${flowsSeen ? `, flows read ${flowsSeen}` : ''}`,
    );
    const first = peer.stdout.split('\n').find((line) => /\d+\.\d+\.\d+\.\d+/.test(line));
    if (first) console.log(`  nfdump first row: ${first.trim().replace(/\s+/g, ' ')}`);
    console.log(
      `  ratio nfdump / netledger (--by ${ours_}): library ${(peer.seconds / ours[ours_]!).toFixed(2)}x, whole process ${(peer.seconds / ours[`${ours_}-process`]!).toFixed(2)}x (>1: netledger faster)`,
    );
  }
  const stats = timeCommand('nfdump', ['-R', dir, '-I']);
  const flowCount = /Flows: (\d+)/.exec(stats?.stdout ?? '')?.[1];
  if (flowCount !== undefined)
    console.log(`  flows nfcapd stored: ${formatNumber(Number(flowCount))} of ${formatNumber(FLOWS)}`);
}
