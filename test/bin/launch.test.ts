/**
 * bin/launch.js runs the bundle only while it is current: a source edited after the build must run from
 * the sources, or a checkout being worked on would execute old code. Checked on a copy of the launcher in
 * a scratch package inside the repository (so that tsx resolves), with a bundle and a source that each
 * say which one ran.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli.js';

const SCRATCH = join(REPO_ROOT, 'test-output', 'launch');
const SOURCE = join(SCRATCH, 'src', 'hello.ts');

function run(env: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, [join(SCRATCH, 'bin', 'hello.js'), 'x'], {
    encoding: 'utf8',
    env: { ...process.env, NETLEDGER_FROM_SOURCE: '', ...env },
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(3);
  return result.stdout;
}

function writeManifest(builtAtMs: number, inputs: string[] = ['src/hello.ts']): void {
  writeFileSync(join(SCRATCH, 'dist', 'cli', 'manifest.json'), JSON.stringify({ builtAtMs, inputs }));
}

describe('bin/launch.js', () => {
  beforeAll(() => {
    rmSync(SCRATCH, { recursive: true, force: true });
    for (const dir of ['bin', 'src/io', 'dist/cli']) mkdirSync(join(SCRATCH, dir), { recursive: true });
    for (const file of ['bin/launch.js', 'src/io/bundle-state.js'])
      copyFileSync(join(REPO_ROOT, file), join(SCRATCH, file));
    writeFileSync(
      join(SCRATCH, 'bin', 'hello.js'),
      "import { launch } from './launch.js';\nawait launch('hello', '../src/hello.ts');\n",
    );
    const main = (from: string) =>
      `export async function main(argv) { process.stdout.write('${from} ' + argv.slice(2).join(' ')); return 3; }\n`;
    writeFileSync(SOURCE, main('source').replace('(argv)', '(argv: string[])'));
    writeFileSync(join(SCRATCH, 'dist', 'cli', 'hello.js'), main('bundle'));
  });
  afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

  it('runs the bundle when no source is newer than the build', () => {
    utimesSync(SOURCE, new Date(1_000_000), new Date(1_000_000));
    writeManifest(2_000_000);
    expect(run()).toBe('bundle x');
  });

  it('runs the sources when one was modified after the build, or is gone', () => {
    utimesSync(SOURCE, new Date(3_000_000), new Date(3_000_000));
    writeManifest(2_000_000);
    expect(run()).toBe('source x');
    utimesSync(SOURCE, new Date(1_000_000), new Date(1_000_000));
    writeManifest(2_000_000, ['src/hello.ts', 'src/deleted.ts']);
    expect(run()).toBe('source x');
  });

  it('runs the sources when asked to, or when nothing was built', () => {
    writeManifest(2_000_000);
    expect(run({ NETLEDGER_FROM_SOURCE: '1' })).toBe('source x');
    rmSync(join(SCRATCH, 'dist', 'cli', 'manifest.json'));
    expect(run()).toBe('source x');
  });
});

/**
 * Each bin's first line starts node with glibc's huge-page tunable in front of the caller's own (see
 * bin/launch.js). Checked by executing a copy of that line with a body that prints what node was given,
 * the way the kernel runs a bin: through its `#!` line.
 */
describe("the bins' first line", () => {
  const BINS = ['netledger', 'fwctlacctreport', 'ra-sum', 'tstat_cull', 'tstat_send'];
  const PROBE = join(REPO_ROOT, 'test-output', 'shebang-probe.js');
  afterAll(() => rmSync(PROBE, { force: true }));

  it.each(BINS)('%s: node gets glibc.malloc.hugetlb=1 and keeps the tunables it was given', (bin) => {
    const [firstLine] = readFileSync(join(REPO_ROOT, 'bin', `${bin}.js`), 'utf8').split('\n');
    mkdirSync(dirname(PROBE), { recursive: true });
    writeFileSync(PROBE, `${firstLine}\nprocess.stdout.write(String(process.env.GLIBC_TUNABLES));\n`);
    chmodSync(PROBE, 0o755);
    const probe = (tunables: string | undefined) => {
      const env = { ...process.env };
      delete env.GLIBC_TUNABLES;
      if (tunables !== undefined) env.GLIBC_TUNABLES = tunables;
      const result = spawnSync(PROBE, { encoding: 'utf8', env });
      expect(result.stderr).toBe('');
      return result.stdout;
    };
    expect(probe(undefined)).toBe('glibc.malloc.hugetlb=1:');
    expect(probe('glibc.malloc.arena_max=2')).toBe('glibc.malloc.hugetlb=1:glibc.malloc.arena_max=2');
  });

  it('runs the real bin when executed directly', () => {
    const result = spawnSync(join(REPO_ROOT, 'bin', 'netledger.js'), ['--version'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});
