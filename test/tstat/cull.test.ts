/** tstat cull: removes only `*.out` directories whose `.processed` is at least ttl hours old. */
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as tstatCull } from '../../src/compat/tstat_cull.js';
import { runCli } from '../../src/cli/main.js';
import { captureStderr, tempDir } from './helpers.js';

async function makeTree(root: string) {
  const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);
  const dirs = {
    old: join(root, '2016_02_17_12_00.out'),
    fresh: join(root, '2016_02_17_13_00.out'),
    unsent: join(root, '2016_02_17_14_00.out'),
    nested: join(root, 'sensor2', '2016_02_17_12_00.out'),
    notTstat: join(root, 'archive'),
  };
  for (const dir of Object.values(dirs)) {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'log_tcp_complete'), '#15#c_ip:1\n');
  }
  for (const [dir, age] of [
    [dirs.old, 49],
    [dirs.fresh, 47],
    [dirs.nested, 48],
    [dirs.notTstat, 100],
  ] as const) {
    await writeFile(join(dir, '.processed'), 'processed');
    await utimes(join(dir, '.processed'), hoursAgo(age), hoursAgo(age));
  }
  await utimes(join(dirs.unsent, 'log_tcp_complete'), hoursAgo(500), hoursAgo(500));
  return dirs;
}

describe('tstat_cull', () => {
  it('dry run lists what would go and deletes nothing', async () => {
    const temp = await tempDir();
    try {
      const dirs = await makeTree(temp.path);
      const { code, stderr } = await captureStderr(() =>
        tstatCull(['node', 'tstat_cull', '-d', temp.path, '-D']),
      );
      expect(code).toBe(0);
      expect(stderr).toContain(`dry run, not removing ${dirs.old}\n`);
      expect(stderr).toContain(`dry run, not removing ${dirs.nested}\n`);
      expect(stderr.match(/dry run/g)).toHaveLength(2);
      for (const dir of Object.values(dirs)) expect(existsSync(dir)).toBe(true);
    } finally {
      await temp.cleanup();
    }
  });

  it('removes processed *.out directories at least ttl hours old, never an unprocessed one', async () => {
    const temp = await tempDir();
    try {
      const dirs = await makeTree(temp.path);
      const { code, stderr } = await captureStderr(() =>
        tstatCull(['node', 'tstat_cull', '--directory', temp.path]),
      );
      expect(code).toBe(0);
      expect(stderr).toMatch(/^ts=\S+ \S+ event=main\.run id=\d+ removing /m);
      expect(existsSync(dirs.old)).toBe(false);
      expect(existsSync(dirs.nested)).toBe(false);
      expect(existsSync(dirs.fresh)).toBe(true);
      expect(existsSync(dirs.unsent)).toBe(true);
      expect(existsSync(dirs.notTstat)).toBe(true);
    } finally {
      await temp.cleanup();
    }
  });

  it('--ttl in hours; netledger tstat cull is the same command', async () => {
    const temp = await tempDir();
    try {
      const dirs = await makeTree(temp.path);
      const code = await runCli(['node', 'netledger', 'tstat', 'cull', '-d', temp.path, '-t', '47', '-q']);
      expect(code).toBe(0);
      expect(existsSync(dirs.fresh)).toBe(false);
      expect(existsSync(dirs.unsent)).toBe(true);
    } finally {
      await temp.cleanup();
    }
  });

  it('usage errors as optparse reports them, exit 2', async () => {
    const missing = await captureStderr(() => tstatCull(['node', 'tstat_cull']));
    expect(missing).toEqual({
      code: 2,
      stderr:
        'Usage: tstat_cull [ -d DIR | -t HOURS | -D | -v ]\n\ntstat_cull: error: Directory path is required.\n',
    });
    const absent = await captureStderr(() => tstatCull(['node', 'tstat_cull', '-d', '/nonexistent/tstat']));
    expect(absent.stderr).toContain('tstat_cull: error: /nonexistent/tstat directory path does not exist\n');
    const badTtl = await captureStderr(() => tstatCull(['node', 'tstat_cull', '-d', '/tmp', '-t', '1.5']));
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain("invalid integer value: '1.5'");
  });
});
