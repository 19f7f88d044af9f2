/**
 * bin/launch.js runs the bundle only while it is current: a source edited after the build must run from
 * the sources, or a checkout being worked on would execute old code. Checked on a copy of the launcher in
 * a scratch package inside the repository (so that tsx resolves), with a bundle and a source that each
 * say which one ran.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
