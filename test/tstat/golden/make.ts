/**
 * Regenerates the golden files from the ORIGINAL tstat_send 0.6.5 (not part of the test run):
 *   node --import tsx test/tstat/golden/make.ts /work/shared/reference/tstat/run_original.py
 * For each case it writes the seeded tree to a temp dir, runs
 *   /usr/bin/python3 run_original.py -d TREE -c CONFIG -N ARGS...
 * and stores its stdout, gzipped, as golden/<case>.json.gz.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { generateTstatTree } from '../generate.js';
import { GOLDEN_CASES, NO_TRANSPORT_CONFIG } from '../golden-cases.js';

const here = dirname(fileURLToPath(import.meta.url));
const original = process.argv[2] ?? '/work/shared/reference/tstat/run_original.py';
for (const goldenCase of GOLDEN_CASES) {
  const work = mkdtempSync(join(tmpdir(), 'tstat-golden-'));
  const tree = join(work, 'tree');
  await generateTstatTree({ ...goldenCase.tree, root: tree });
  const config = join(work, 'config.ini');
  writeFileSync(config, NO_TRANSPORT_CONFIG);
  const result = spawnSync(
    '/usr/bin/python3',
    [original, '-d', tree, '-c', config, '-N', ...goldenCase.args],
    {
      encoding: 'buffer',
      maxBuffer: 1 << 30,
    },
  );
  if (result.status !== 0)
    throw new Error(`${goldenCase.name}: original failed: ${result.stderr.toString()}`);
  writeFileSync(join(here, `${goldenCase.name}.json.gz`), gzipSync(result.stdout, { level: 9 }));
  console.log(`${goldenCase.name}: ${result.stdout.length} bytes`);
  rmSync(work, { recursive: true, force: true });
}
