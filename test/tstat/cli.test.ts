/** The tstat_send drop-in and `netledger tstat send`: usage errors, config errors, Ctrl-C. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { main as tstatSend } from '../../src/compat/tstat_send.js';
import { generateTstatTree } from './generate.js';
import { NO_TRANSPORT_CONFIG } from './golden-cases.js';
import { captureStderr, printTree, tempDir } from './helpers.js';

describe('tstat_send usage and config errors', () => {
  it('-d is required; the config file must exist', async () => {
    expect(await captureStderr(() => tstatSend(['node', 'tstat_send']))).toEqual({
      code: 2,
      stderr: 'Usage: tstat_send [ -d DIR | -v ]\n\ntstat_send: error: Directory path is required.\n',
    });
    const temp = await tempDir();
    try {
      const missing = await captureStderr(() =>
        tstatSend(['node', 'tstat_send', '-d', temp.path, '-c', 'nope.ini', '-N']),
      );
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain(
        `tstat_send: error: ${join(process.cwd(), 'nope.ini')} config file does not exist\n`,
      );
    } finally {
      await temp.cleanup();
    }
  });

  it('a missing config key: the original message naming it, exit 78, nothing marked', async () => {
    const temp = await tempDir();
    try {
      const [dir] = await generateTstatTree({
        seed: 1,
        directories: 1,
        tcpRows: 2,
        udpRows: 2,
        root: join(temp.path, 't'),
      });
      const config = join(temp.path, 'config.ini');
      await writeFile(config, NO_TRANSPORT_CONFIG.replace('username = guest\n', ''));
      const result = await captureStderr(() =>
        tstatSend(['node', 'tstat_send', '-d', join(temp.path, 't'), '-c', config, '-N']),
      );
      expect(result).toEqual({
        code: 78,
        stderr: `tstat_send: [username] is a required config value for transport [rabbit] (${config})\n`,
      });
      expect(existsSync(join(dir!, '.processed'))).toBe(false);
    } finally {
      await temp.cleanup();
    }
  });

  it('netledger tstat send --transport stdout needs no config; --no-transport is accepted', async () => {
    const temp = await tempDir();
    try {
      await generateTstatTree({
        seed: 1,
        directories: 2,
        tcpRows: 20,
        udpRows: 20,
        root: join(temp.path, 'a'),
      });
      await generateTstatTree({
        seed: 1,
        directories: 2,
        tcpRows: 20,
        udpRows: 20,
        root: join(temp.path, 'b'),
      });
      const expected = (await printTree(join(temp.path, 'b'), { thresholdMB: 0, sensorId: 'x' })).text;
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((text, callback?: unknown) => {
        out.push(String(text));
        if (typeof callback === 'function') (callback as () => void)();
        return true;
      });
      let code: number;
      try {
        code = await runCli([
          'node',
          'netledger',
          'tstat',
          'send',
          '-d',
          join(temp.path, 'a'),
          '-t',
          'stdout',
          '-T',
          '0',
          '-S',
          'x',
          '-q',
        ]);
      } finally {
        spy.mockRestore();
      }
      expect(code).toBe(0);
      expect(out.join('')).toBe(expected);
      const bad = await captureStderr(() =>
        runCli([
          'node',
          'netledger',
          'tstat',
          'send',
          '-d',
          join(temp.path, 'a'),
          '--no-transport',
          '-t',
          'carrier-pigeon',
        ]),
      );
      expect(bad).toEqual({ code: 64, stderr: 'netledger: carrier-pigeon is not a valid transport type.\n' });
    } finally {
      await temp.cleanup();
    }
  });
});

describe('Ctrl-C', () => {
  it.each([
    { threads: 'in this thread', rows: 600, extra: [] as string[] },
    { threads: 'on worker threads (they end, the process exits)', rows: 6000, extra: ['--workers', '2'] },
  ])(
    '$threads: finishes the current directory, marks it, stops before the next one (exit 0 as the original)',
    async ({ rows, extra }) => {
      const temp = await tempDir();
      try {
        const tree = join(temp.path, 'tree');
        const dirs = await generateTstatTree({
          seed: 2,
          directories: 2,
          tcpRows: rows,
          udpRows: 0,
          root: tree,
        });
        const config = join(temp.path, 'config.ini');
        await writeFile(config, NO_TRANSPORT_CONFIG);
        const bin = new URL('../../bin/tstat_send.js', import.meta.url).pathname;
        const args = ['-d', tree, '-c', config, '-N', '-T', '0', '-S', 's', '-q', ...extra];
        const child = spawn(process.execPath, [bin, ...args]);
        const out: Buffer[] = [];
        let interrupted = false;
        child.stdout.on('data', (chunk: Buffer) => {
          out.push(chunk);
          // The child blocks on the pipe while writing the first directory: interrupt it there.
          if (!interrupted) {
            interrupted = true;
            child.kill('SIGINT');
          }
        });
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        expect(code).toBe(0);
        expect(dirs.map((dir) => existsSync(join(dir, '.processed')))).toEqual([true, false]);
        // What was printed is exactly the first directory, complete.
        const one = join(temp.path, 'one');
        await generateTstatTree({ seed: 2, directories: 1, tcpRows: rows, udpRows: 0, root: one });
        const expected = (await printTree(one, { thresholdMB: 0, sensorId: 's' })).text;
        expect(Buffer.concat(out).toString('utf8')).toBe(expected);
      } finally {
        await temp.cleanup();
      }
    },
    60_000,
  );
});
