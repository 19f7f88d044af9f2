/**
 * ra-sum on bad input: one line naming the file and position, a non-zero exit, and the state file
 * untouched (byte for byte, no temp file left).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/compat/ra_sum.js';
import { makeArgusFixture, type ArgusFixture } from './fixtures.js';

let fixture: ArgusFixture;
let stateFormat: string;
let stateFile: string;
let savedState: Buffer;
const MAC = '00:1b:21:0a:0b:10';

async function raSum(...args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const errorSpy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const outSpy = vi.spyOn(process.stdout, 'write').mockImplementation(((
    chunk: string | Uint8Array,
    callback?: (error?: Error | null) => void,
  ) => {
    stdout += String(chunk);
    callback?.();
    return true;
  }) as typeof process.stdout.write);
  try {
    const code = await main(['node', 'ra-sum', ...args]);
    return { code, stderr, stdout };
  } finally {
    errorSpy.mockRestore();
    outSpy.mockRestore();
  }
}

function stateArgs(): string[] {
  return ['-C', stateFormat, '-A', join(fixture.dir, 'addresses-%e')];
}

beforeAll(async () => {
  fixture = makeArgusFixture({ seed: 5, flows: 40 });
  stateFormat = join(fixture.dir, 'state-%e');
  stateFile = join(fixture.dir, 'state-001b:210a:0b10');
  const first = await raSum('-r', fixture.argusFile, '-e', MAC, ...stateArgs());
  expect(first.code).toBe(0);
  savedState = readFileSync(stateFile);
});
afterAll(() => fixture.cleanup());

function expectStateUntouched(): void {
  expect(readFileSync(stateFile)).toEqual(savedState);
  expect(readdirSync(fixture.dir).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'))).toEqual(
    [],
  );
}

describe('ra-sum on bad input', () => {
  it('refuses a file that is not argus', async () => {
    const file = join(fixture.dir, 'text.argus');
    writeFileSync(file, 'hello, world\n');
    const result = await raSum('-r', file, '-e', MAC, ...stateArgs());
    expect(result).toEqual({
      code: 65,
      stdout: '',
      stderr: `ra-sum: not an argus 3 file: expected a management record (0x83) at the start, found 0x68 (${file}: byte offset 0)\n`,
    });
    expectStateUntouched();
  });

  it('refuses a truncated record', async () => {
    const bytes = readFileSync(fixture.argusFile);
    const file = join(fixture.dir, 'cut.argus');
    writeFileSync(file, bytes.subarray(0, 128 + 10));
    const result = await raSum('-r', file, '-e', MAC, ...stateArgs());
    expect(result.code).toBe(65);
    expect(result.stderr).toBe(
      `ra-sum: truncated argus record: 10 of ${bytes.readUInt16BE(130) * 4} bytes (${file}: byte offset 128)\n`,
    );
    expectStateUntouched();
  });

  it('refuses a malformed MAC', async () => {
    const result = await raSum('-r', fixture.argusFile, '-e', '00:1b:21:0a:0b', ...stateArgs());
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      "ra-sum: malformed MAC address '00:1b:21:0a:0b' (expected 00:11:22:33:44:55, 00-11-22-33-44-55 or 0011.2233.4455)\n",
    );
    expectStateUntouched();
  });

  it('refuses a policy file with a bad line', async () => {
    const policy = join(fixture.dir, 'bad.policy');
    writeFileSync(policy, '1 10.0.0.0/8\n2 300.0.0.0/8\n');
    const result = await raSum('-r', fixture.argusFile, '-e', MAC, '-t', '-c', policy, ...stateArgs());
    expect(result.code).toBe(78);
    expect(result.stderr).toBe(
      `ra-sum: expected an IPv4 or IPv6 prefix with zero host bits, found '300.0.0.0/8' (${policy}:2)\n`,
    );
    expectStateUntouched();
  });

  it('names the Debian package when ra is not on PATH (the real bin, PATH cleared)', () => {
    const result = spawnSync(
      process.execPath,
      ['bin/ra-sum.js', '-r', fixture.argusFile, '-e', MAC, '--reader', 'ra', ...stateArgs()],
      { encoding: 'utf8', env: { ...process.env, PATH: '' } },
    );
    expect(result.status).toBe(69);
    expect(result.stderr).toBe('ra-sum: ra is not installed (Debian package: argus-client)\n');
    expect(result.stdout).toBe('');
    expectStateUntouched();
  });

  it('refuses unknown options and prints help with -h', async () => {
    expect((await raSum('-x')).stderr).toBe('ra-sum: unknown option -x\n');
    const help = await raSum('-h');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: ra-sum \[-SbtigkKfvh\]/);
  });
});
