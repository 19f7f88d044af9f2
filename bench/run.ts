/**
 * `npm run bench [-- NAME...]`: runs every `bench/*.bench.ts` (or those whose name contains NAME), each in
 * its own process so that peak memory is measured per benchmark. Benchmarks print numbers; they assert
 * nothing (tests do that).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../scripts/build.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

// Peer tools to compare with (Debian packages), unless told not to.
if (process.env.NETLEDGER_BENCH_NO_INSTALL !== '1') {
  spawnSync('bash', [join(here, 'install-peers.sh')], { stdio: 'inherit' });
}

// Whole-process timings measure what `npm ci` installs: the bundled bins, current with the sources.
await buildCli();

let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n## ${bench.replace(/\.bench\.ts$/, '')}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, bench)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
