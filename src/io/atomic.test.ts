import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netledger-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes text, bytes, or chunks one after another', async () => {
    const target = join(dir, 'out.txt');
    await writeFileAtomic(target, 'text\n');
    expect(await readFile(target, 'utf8')).toBe('text\n');
    function* chunks() {
      for (let i = 0; i < 3; i++) yield Buffer.from(`chunk ${i}\n`);
    }
    await writeFileAtomic(target, chunks());
    expect(await readFile(target, 'utf8')).toBe('chunk 0\nchunk 1\nchunk 2\n');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });

  it('leaves the old file and no temp file when making a chunk fails half-way', async () => {
    const target = join(dir, 'kept.txt');
    await writeFile(target, 'old\n');
    function* failing() {
      yield Buffer.from('half of the new ');
      throw new Error('the input went bad');
    }
    await expect(writeFileAtomic(target, failing())).rejects.toThrow('the input went bad');
    expect(await readFile(target, 'utf8')).toBe('old\n');
    expect((await readdir(dir)).sort()).toEqual(['kept.txt', 'out.txt']);
  });
});
