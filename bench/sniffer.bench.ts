/**
 * Sniffer status files: parse + both reports (by /24 and by subdomain) on seeded files of 100k and 1M
 * IPs. Targets (issue 3): 100k IPs < 0.55 s, 1M < 4.5 s, peak memory < 1 GiB, at least 50x the Perl
 * original on the same files.
 *
 * Timed three ways: in this process (the library: read the file, parse, group, render both reports),
 * and as whole processes, `netledger sniffer report FILE` for type 0 and type 1 run as a user runs them
 * (the bin executed through its `#!` line, see bin/launch.js), the fastest of 3, beside
 * the Perl original's two runs when its reference copy (NETLEDGER_REFERENCE, default ../shared/reference)
 * and NetAddr::IP (libnetaddr-ip-perl) are there. The original takes minutes on 1M IPs, so that file is
 * given to it only with NETLEDGER_BENCH_SNIFFER_PERL_1M=1.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStatusTable } from '../src/sources/sniffer/read.js';
import { buildSnifferReport, renderSnifferTextBytes } from '../src/report/sniffer.js';
import { ensureStatusFile } from './lib/sniffer-status.js';
import { fastestOf, peakRssMiB, printMeasurement, timeCommand, type CommandTiming } from './lib/measure.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const outDir = join(here, 'out');
mkdirSync(outDir, { recursive: true });
const bin = join(here, '..', 'bin', 'netledger.js');
const reference =
  process.env.NETLEDGER_REFERENCE ?? fileURLToPath(new URL('../../shared/reference/', import.meta.url));
const perlReport = join(reference, 'sniffer/report.pl');
const PROCESS_RUNS = 3;
const TYPES = [
  { type: '0', by: 'cidr24' },
  { type: '1', by: 'domain' },
] as const;

async function timeLibrary(path: string, ips: number): Promise<void> {
  const megabytes = statSync(path).size / 1e6;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const buffer = await readFile(path);
  const status = parseStatusTable(buffer, path);
  const parsedAt = process.hrtime.bigint();
  let bytes = 0;
  for (const { by } of TYPES) {
    bytes += renderSnifferTextBytes(buildSnifferReport(status, by), { utc: true }).length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  printMeasurement(
    {
      label: `library: parse + 2 reports, ${ips.toLocaleString('en')} IPs (${megabytes.toFixed(0)} MB)`,
      seconds,
      units: ips,
      unit: 'IPs',
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    },
    `(parse ${(Number(parsedAt - started) / 1e9).toFixed(3)} s, ${(bytes / 1e6).toFixed(1)} MB of report)`,
  );
}

/** Both report types as whole processes: the summed times and the larger peak, or why they did not run. */
function timeBoth(label: string, run: (type: (typeof TYPES)[number]) => CommandTiming | undefined) {
  let seconds = 0;
  let cpuSeconds = 0;
  let peakMiB = 0;
  for (const type of TYPES) {
    const timing = run(type);
    if (timing === undefined) return `${label}: not installed`;
    if (timing.status !== 0) {
      return `${label}: failed (exit ${timing.status}): ${timing.stderr.trim().split('\n')[0] ?? ''}`;
    }
    seconds += timing.seconds;
    cpuSeconds += timing.cpuSeconds;
    peakMiB = Math.max(peakMiB, timing.peakMiB);
  }
  return { seconds, cpuSeconds, peakMiB };
}

function timeProcesses(path: string, ips: number, withPerl: boolean): void {
  const count = ips.toLocaleString('en');
  const ours = timeBoth('netledger', ({ by }) =>
    fastestOf(PROCESS_RUNS, () => timeCommand(bin, ['sniffer', 'report', path, '--by', by])),
  );
  if (typeof ours === 'string') {
    console.log(ours);
    return;
  }
  printMeasurement(
    {
      label: `netledger sniffer report, both types, ${count} IPs`,
      seconds: ours.seconds,
      units: ips,
      unit: 'IPs',
    },
    `CPU ${ours.cpuSeconds.toFixed(2)} s, peak ${ours.peakMiB.toFixed(0)} MiB, fastest of ${PROCESS_RUNS} each`,
  );
  if (!withPerl) return;
  if (!existsSync(perlReport)) {
    console.log(`Perl original: not found at ${perlReport} (set NETLEDGER_REFERENCE=<shared/reference>)`);
    return;
  }
  const perl = timeBoth('Perl original', ({ type }) => timeCommand('perl', [perlReport, path, type]));
  if (typeof perl === 'string') {
    console.log(perl);
    return;
  }
  console.log(
    `Perl original, both types, ${count} IPs: ${perl.seconds.toFixed(2)} s, CPU ${perl.cpuSeconds.toFixed(2)} s, ` +
      `peak ${perl.peakMiB.toFixed(0)} MiB: netledger ${(perl.seconds / ours.seconds).toFixed(0)}x faster`,
  );
}

for (const ips of [100_000, 1_000_000]) {
  const path = ensureStatusFile(join(outDir, `sniffer-${ips}.stats`), ips, 20261125);
  await timeLibrary(path, ips);
  timeProcesses(path, ips, ips < 1_000_000 || process.env.NETLEDGER_BENCH_SNIFFER_PERL_1M === '1');
}
console.log(`peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB`);
