/**
 * Sniffer status files: parse + both reports on seeded files of 100k and 1M IPs, with the Perl original
 * side by side on the 100k file when its reference copy (NETLEDGER_REFERENCE, default ../shared/reference)
 * and NetAddr::IP (libnetaddr-ip-perl) are there. Targets: 100k IPs < 0.55 s, 1M < 4.5 s, < 1 GiB.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStatusTable } from '../src/sources/sniffer/read.js';
import { formatDaemonStatus } from '../src/sources/sniffer/write.js';
import { buildSnifferReport, renderSnifferTextBytes } from '../src/report/sniffer.js';
import { generateStatus } from '../test/gen/sniffer-status.js';
import { peakRssMiB, printMeasurement, timeCommand } from './lib/measure.js';

const outDir = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(outDir, { recursive: true });

function ensureFile(ips: number): string {
  const path = join(outDir, `sniffer-${ips}.stats`);
  if (!existsSync(path)) {
    const { header, entries } = generateStatus(20261125, { ips, perCidr: 4 });
    writeFileSync(path, formatDaemonStatus(header, entries, true), 'latin1');
  }
  return path;
}

async function run(ips: number): Promise<number> {
  const path = ensureFile(ips);
  const megabytes = statSync(path).size / 1e6;
  const started = process.hrtime.bigint();
  const buffer = await readFile(path);
  const status = parseStatusTable(buffer, path);
  const parsedAt = process.hrtime.bigint();
  let bytes = 0;
  for (const grouping of ['cidr24', 'domain'] as const) {
    bytes += renderSnifferTextBytes(buildSnifferReport(status, grouping), { utc: true }).length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const parseSeconds = Number(parsedAt - started) / 1e9;
  printMeasurement(
    {
      label: `netledger parse + 2 reports, ${ips.toLocaleString('en')} IPs (${megabytes.toFixed(0)} MB)`,
      seconds,
      units: ips,
      unit: 'IPs',
    },
    `(parse ${parseSeconds.toFixed(3)} s, ${(bytes / 1e6).toFixed(1)} MB of report)`,
  );
  return seconds;
}

const seconds100k = await run(100_000);
await run(1_000_000);
console.log(`peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB`);

const reference =
  process.env.NETLEDGER_REFERENCE ?? fileURLToPath(new URL('../../shared/reference/', import.meta.url));
if (existsSync(join(reference, 'sniffer/report.pl'))) {
  const path = ensureFile(100_000);
  let total = 0;
  let peak = 0;
  for (const type of ['0', '1']) {
    const timed = timeCommand('perl', [join(reference, 'sniffer/report.pl'), path, type]);
    if (timed === undefined) break;
    total += timed.seconds;
    peak = Math.max(peak, timed.peakMiB);
  }
  console.log(
    `Perl original, both reports, 100,000 IPs: ${total.toFixed(2)} s, peak ${peak.toFixed(0)} MiB ` +
      `(netledger ${(total / seconds100k).toFixed(0)}x faster)`,
  );
} else {
  console.log(
    'Perl original: set NETLEDGER_REFERENCE=<shared/reference> to time it side by side (about 27 s per 100k IPs here)',
  );
}
