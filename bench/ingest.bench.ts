/**
 * `netledger ingest` per format: generated files of realistic size (made once, cached under
 * bench/out/ingest), each ingested into a fresh DuckDB ledger in a process of its own, so that peak memory
 * is the ingest's. Prints records/s (wall), CPU seconds (all threads, and the JavaScript thread's) and
 * peak RSS, the best of NETLEDGER_BENCH_RUNS runs (default 2; the machine is shared, so CPU time says
 * more than wall time).
 *
 * NETLEDGER_BENCH_INGEST_RECORDS scales every file (default 1,000,000): NDJSON records and fwctl lines,
 * a UDP tstat log of half as many rows (two records each), a TCP one of a tenth, pcap packets, and
 * a tenth as many Sniffer hosts; argus flows (made by the `argus` binary from a pcap, when it is installed)
 * a fifth. NETLEDGER_BENCH_FORMATS picks formats (comma-separated, e.g. `ndjson,tstat-udp`).
 */
import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDbLedger } from '../src/ledger/duckdb.js';
import { ingestFile } from '../src/ledger/ingest.js';
import { formatDaemonStatus } from '../src/sources/sniffer/write.js';
import { writePcap, type PacketSpec } from '../test/gen/packets.js';
import { SeededRandom } from '../test/gen/random.js';
import { generateStatus } from '../test/gen/sniffer-status.js';
import { trafficSpecs } from '../test/gen/traffic.js';
import { generateTstatTree } from '../test/tstat/generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, 'out', 'ingest');
const RECORDS = Number(process.env.NETLEDGER_BENCH_INGEST_RECORDS ?? 1_000_000);
const RUNS = Math.max(1, Number(process.env.NETLEDGER_BENCH_RUNS ?? 2));
const DAY_START = 1_795_132_800; // 2026-11-20T00:00:00Z

interface RunResult {
  format: string;
  records: number;
  seconds: number;
  cpuSeconds: number;
  jsSeconds: number;
  peakMiB: number;
}

/** CPU seconds of the main (JavaScript) thread so far (Linux: utime + stime of the thread, USER_HZ 100). */
function javaScriptCpuSeconds(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

// ------------------------------------------------------------------------------------------------ child

if (process.argv[2] === 'child') {
  const [file, ledgerPath] = process.argv.slice(3) as [string, string];
  rmSync(ledgerPath, { force: true });
  rmSync(`${ledgerPath}.wal`, { force: true });
  const ledger = await DuckDbLedger.open(ledgerPath);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const js = javaScriptCpuSeconds();
  const outcome = await ingestFile(ledger, file);
  await ledger.close();
  const used = process.cpuUsage(cpu);
  const result: Omit<RunResult, 'format'> = {
    records: outcome.records,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
    jsSeconds: javaScriptCpuSeconds() - js,
    peakMiB: process.resourceUsage().maxRSS / 1024,
  };
  rmSync(ledgerPath, { force: true });
  console.log(JSON.stringify({ ...result, format: outcome.format }));
  process.exit(0);
}

// ----------------------------------------------------------------------------------------------- files

/** Makes `path` through a temporary file, once (the file is kept for later runs). */
async function cached(path: string, write: (temp: string) => Promise<void>): Promise<string> {
  if (existsSync(path)) return path;
  const temp = `${path}.partial`;
  const started = Date.now();
  await write(temp);
  renameSync(temp, path);
  console.log(
    `  made ${path} (${(statSync(path).size / 2 ** 20).toFixed(0)} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return path;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let chunk = '';
  const flush = async () => {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    chunk = '';
  };
  for (const line of lines) {
    chunk += line;
    if (chunk.length > 1 << 20) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** The ledger bench's flows as the sinks write them: 65,536 skewed sources, 4,096 destinations, one day. */
function ndjsonFile(count: number): Promise<string> {
  const ip = (value: number) =>
    `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
  return cached(join(OUT, `flows-${count}.ndjson`), (temp) =>
    writeLines(
      temp,
      (function* () {
        for (let i = 0; i < count; i++) {
          let x = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
          x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
          x = (x ^ (x >>> 16)) >>> 0;
          const skew = (x & 0xffff) / 65536;
          const startMs = DAY_START * 1000 + Math.floor((i / count) * 86_400_000);
          const record = {
            start: startMs / 1000,
            end: (startMs + ((x >>> 8) % 300_000)) / 1000,
            src: ip(0x0a000000 + Math.floor(skew * skew * 65536)),
            dst: ip(0xc0a80000 + ((x >>> 4) & 0xfff)),
            sport: 1024 + (x % 60000),
            dport: [53, 80, 443, 8080][(x >>> 20) & 3],
            proto: (x >>> 22) & 1 ? 'tcp' : 'udp',
            packets: 1 + ((x >>> 3) % 1000),
            bytes: 40 + (x % 1_500_000),
          };
          yield JSON.stringify(record) + '\n';
        }
      })(),
    ),
  );
}

/** A tstat output directory (tests' generator: 130-column TCP and 19-column UDP logs, no edge rows). */
async function tstatFiles(tcpRows: number, udpRows: number): Promise<{ tcp: string; udp: string }> {
  const root = join(OUT, `tstat-${tcpRows}-${udpRows}`);
  const dir = join(root, '2016_02_17_12_00.out');
  if (!existsSync(join(root, '.complete'))) {
    rmSync(root, { recursive: true, force: true });
    const started = Date.now();
    await generateTstatTree({ root, seed: 42, directories: 1, tcpRows, udpRows, bigFlowShare: 0.05 });
    await writeFile(join(root, '.complete'), '');
    console.log(`  made ${root} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return { tcp: join(dir, 'log_tcp_complete'), udp: join(dir, 'log_udp_complete') };
}

/** `fwctl dump-acct` lines: 50 chains dumped every 5 minutes (as bench/fwctl). */
function fwctlFile(lines: number): Promise<string> {
  return cached(join(OUT, `fwctl-${lines}.acct`), (temp) =>
    writeLines(
      temp,
      (function* () {
        const random = new SeededRandom(4);
        const chains = 50;
        for (let dump = 0; dump * chains < lines; dump++) {
          const time = 1_577_836_800 + dump * 300 + (dump === 0 ? 0 : random.int(0, 20));
          for (let chain = 0; chain < chains && dump * chains + chain < lines; chain++) {
            const packets = dump === 0 ? 0 : random.int(0, 50_000);
            const bytes = dump === 0 ? 0 : packets * random.int(40, 1500);
            yield `${time} acct${String(chain).padStart(4, '0')} ${packets} ${bytes} chain${chain}\n`;
          }
        }
      })(),
    ),
  );
}

function pcapFile(packets: number): Promise<string> {
  return cached(join(OUT, `traffic-${packets}.pcap`), (temp) =>
    writePcap(temp, trafficSpecs(7, packets, { hosts: 20000, flows: 50000 })),
  );
}

function snifferFile(ips: number): Promise<string> {
  return cached(join(OUT, `sniffer-${ips}.stats`), async (temp) => {
    const { header, entries } = generateStatus(20261125, { ips, perCidr: 4 });
    await writeFile(temp, formatDaemonStatus(header, entries, true), 'latin1');
  });
}

/** argus flows made by `argus` from a pcap of one UDP packet per flow; undefined without argus. */
async function argusFile(flows: number): Promise<string | undefined> {
  if (spawnSync('sh', ['-c', 'command -v argus']).status !== 0) return undefined;
  return cached(join(OUT, `flows-${flows}.argus`), async (temp) => {
    const pcap = `${temp}.pcap`;
    const random = new SeededRandom(1);
    await writePcap(
      pcap,
      (function* (): Generator<PacketSpec> {
        for (let index = 0; index < flows; index++) {
          yield {
            time: 1_700_000_000 + index / 10_000,
            srcMac: `00:1b:21:0a:0c:${(index % 16).toString(16).padStart(2, '0')}`,
            dstMac: '02:00:5e:00:00:01',
            src: `10.${index % 16}.${(index >>> 8) & 255}.${index & 255}`,
            dst: `198.51.100.${random.int(1, 254)}`,
            proto: 17,
            sport: 1024 + (index % 60000),
            dport: 53,
            payload: random.int(20, 200),
          };
        }
      })(),
    );
    const result = spawnSync('argus', ['-r', pcap, '-w', temp, '-m', '-A'], { stdio: 'inherit' });
    rmSync(pcap, { force: true });
    if (result.status !== 0) throw new Error(`argus failed with status ${result.status}`);
  });
}

// ---------------------------------------------------------------------------------------------- parent

const loadAverage = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const formatNumber = (value: number) => Math.round(value).toLocaleString('en');

mkdirSync(OUT, { recursive: true });
console.log(
  `records: ${formatNumber(RECORDS)} (NETLEDGER_BENCH_INGEST_RECORDS), best of ${RUNS} runs (NETLEDGER_BENCH_RUNS)`,
);
const tstat = await tstatFiles(Math.ceil(RECORDS / 10), Math.ceil(RECORDS / 2));
const argus = await argusFile(Math.ceil(RECORDS / 5));
const sources: Array<[string, string | undefined]> = [
  ['ndjson', await ndjsonFile(RECORDS)],
  ['tstat-udp', tstat.udp],
  ['tstat-tcp', tstat.tcp],
  ['fwctl', await fwctlFile(RECORDS)],
  ['pcap', await pcapFile(RECORDS)],
  ['argus', argus],
  ['sniffer', await snifferFile(Math.ceil(RECORDS / 10))],
];
const wanted = process.env.NETLEDGER_BENCH_FORMATS?.split(',');
console.log(`load average ${loadAverage()}`);
console.log(
  `${'format'.padEnd(10)} ${'MiB'.padStart(6)} ${'records'.padStart(10)} ${'wall s'.padStart(8)} ${'records/s'.padStart(11)} ${'CPU s'.padStart(7)} ${'JS s'.padStart(6)} ${'rec/CPU-s'.padStart(11)} ${'peak RSS'.padStart(9)} ${'MiB/s'.padStart(6)}`,
);
for (const [name, file] of sources) {
  if (wanted !== undefined && !wanted.includes(name)) continue;
  if (file === undefined) {
    console.log(`${name.padEnd(10)} (argus not installed: no file)`);
    continue;
  }
  const runs: RunResult[] = [];
  for (let run = 0; run < RUNS; run++) {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(import.meta.url), 'child', file, join(OUT, `${name}.duckdb`)],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const last = child.stdout.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !last.startsWith('{')) {
      console.log(`${name.padEnd(10)} failed: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      break;
    }
    runs.push(JSON.parse(last) as RunResult);
  }
  if (runs.length === 0) continue;
  const best = (pick: (run: RunResult) => number) => Math.min(...runs.map(pick));
  const seconds = best((run) => run.seconds);
  const cpu = best((run) => run.cpuSeconds);
  const records = runs[0]!.records;
  const megabytes = statSync(file).size / 2 ** 20;
  const cells = [
    name.padEnd(10),
    megabytes.toFixed(0).padStart(6),
    formatNumber(records).padStart(10),
    seconds.toFixed(2).padStart(8),
    formatNumber(records / seconds).padStart(11),
    cpu.toFixed(2).padStart(7),
    best((run) => run.jsSeconds)
      .toFixed(2)
      .padStart(6),
    formatNumber(records / cpu).padStart(11),
    `${best((run) => run.peakMiB).toFixed(0)} MiB`.padStart(9),
    (megabytes / seconds).toFixed(0).padStart(6),
  ];
  console.log(cells.join(' '));
}
console.log(`load average ${loadAverage()}`);
