/**
 * `netledger serve` as a user runs it: prints where it listens, answers, stops on SIGTERM with exit 0;
 * refuses a public address without access control.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { netledger, REPO_ROOT } from '../support/cli.js';
import { fixture, tempDir } from './harness.js';

describe('netledger serve', () => {
  it('listens on loopback, answers, stops on SIGTERM', async () => {
    const temp = await tempDir('nl-serve-cli-');
    const child = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/netledger.js'),
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--stats',
        fixture('seed1-40.stats'),
        '--cache-dir',
        temp.dir,
        '--utc',
      ],
      { env: { ...process.env, TZ: 'UTC' } },
    );
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          const match = /^netledger serve: listening on (http:\/\/127\.0\.0\.1:\d+)\n$/.exec(stderr);
          if (match !== null) resolve(match[1]!);
        });
        child.on('exit', () => reject(new Error(`exited early: ${stderr}`)));
      });
      const response = await fetch(`${url}/api/sniffer/report?by=cidr24&format=text`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(
        readFileSync(new URL('../sniffer/golden/seed1-40.0.txt', import.meta.url), 'latin1'),
      );
      const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await temp.remove();
    }
  });

  it('refuses a public address without --token or --users', async () => {
    const result = await netledger(['serve', '--listen', '0.0.0.0:0']);
    expect(result).toMatchObject({
      code: 64,
      stderr:
        'netledger: refusing to listen on 0.0.0.0 without --token or --users (use --insecure-no-auth to insist)\n',
    });
  });

  it('names the line of a bad users file', async () => {
    const temp = await tempDir('nl-serve-users-');
    try {
      await writeFile(join(temp.dir, 'users'), 'alice:admin:plaintext\n');
      const result = await netledger([
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--users',
        join(temp.dir, 'users'),
      ]);
      expect(result).toMatchObject({
        code: 78,
        stderr: `netledger: expected name:role:scrypt$N$r$p$salt$hash (${join(temp.dir, 'users')}:1)\n`,
      });
    } finally {
      await temp.remove();
    }
  });
});
