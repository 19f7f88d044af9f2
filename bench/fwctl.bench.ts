/**
 * fwctl accounting: 10M generated `fwctl dump-acct` lines (50 chains, a dump every 5 minutes with a few
 * seconds of cron jitter, so ~1 dump in 12 spans an hour boundary and is spread in proportion), then the
 * summary (daily samples) and the hourly samples over the whole file. Prints records/s and peak memory.
 * Peer: the original Fwctl::AcctReport needs about 39 s and 484 MiB for 1M lines (formats.md 2.6).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FwctlAccounting } from '../src/aggregate/fwctl-accounting.js';
import { FwctlReader } from '../src/sources/fwctl.js';
import { SeededRandom } from '../test/gen/random.js';
import { measure, peakRssMiB } from './lib/measure.js';

const CHAINS = 50;
const DUMPS = 200_000; // 50 × 200,000 = 10M lines: 694 days of 5-minute dumps
const INTERVAL = 300;
const FIRST = 1_577_836_800; // 2020-01-01 00:00:00 UTC

const here = dirname(fileURLToPath(import.meta.url));
const path = join(here, 'out', `fwctl-${CHAINS}x${DUMPS}.acct`);

async function generate(): Promise<void> {
  const random = new SeededRandom(4);
  const temp = `${path}.tmp`;
  const out = createWriteStream(temp);
  const names = Array.from({ length: CHAINS }, (_, i) => (i === CHAINS - 1 ? '' : `chain${i}`));
  let chunk = '';
  for (let dump = 0; dump < DUMPS; dump++) {
    const time = FIRST + dump * INTERVAL + (dump === 0 ? 0 : random.int(0, 20));
    for (let chain = 0; chain < CHAINS; chain++) {
      const id = `acct${String(chain).padStart(4, '0')}`;
      const packets = dump === 0 ? 0 : random.int(0, 50_000);
      const bytes = dump === 0 ? 0 : packets * random.int(40, 1500);
      chunk += `${time} ${id} ${packets} ${bytes} ${names[chain]}\n`;
    }
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  await rename(temp, path);
}

async function report(resolution: 'summary' | 'samples', sample: number): Promise<number> {
  const reader = await FwctlReader.open([path]);
  const accounting = new FwctlAccounting({ sample, resolution }, reader.chains.names);
  await reader.forEach(accounting.visit);
  const result = accounting.finish();
  if (result.chains.length !== CHAINS)
    throw new Error(`expected ${CHAINS} chains, got ${result.chains.length}`);
  return reader.counters.decoded;
}

if (!existsSync(path)) {
  await measure(
    `generate ${((CHAINS * DUMPS) / 1e6).toFixed(0)}M lines (seeded, once)`,
    'lines',
    async () => {
      await generate();
      return CHAINS * DUMPS;
    },
  );
}
console.log(`input: ${path} (${((await stat(path)).size / 2 ** 20).toFixed(0)} MiB)`);
const before = peakRssMiB();
/** Wall time suffers when other processes share the 2 cores: CPU time gives the rate on an idle machine. */
async function timed(label: string, run: () => Promise<number>): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const { units } = await measure(label, 'records', run);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(
    `  cpu ${cpuSeconds.toFixed(3)} s = ${Math.round(units / cpuSeconds).toLocaleString('en')} records per CPU-second`,
  );
}
await timed('fwctl summary (1-day samples)', () => report('summary', 86_400));
await timed('fwctl samples (hourly, 16,667 samples × 50 chains)', () => report('samples', 3600));
console.log(
  `peak RSS before reading ${before.toFixed(0)} MiB, after both reports ${peakRssMiB().toFixed(0)} MiB`,
);
console.log(
  'peer: original Fwctl::AcctReport ~39 s and 484 MiB for 1M lines (formats.md 2.6, not rerun here)',
);
