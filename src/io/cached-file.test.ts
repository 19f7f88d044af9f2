import { mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cachedFile } from './cached-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nl-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cachedFile', () => {
  it('many concurrent viewers cost one computation', async () => {
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 150));
      return `report ${computations}\n`;
    };
    const file = join(dir, 'sub', 'report.json');
    const texts = await Promise.all(
      Array.from({ length: 10 }, () => cachedFile(file, { refreshSeconds: 60, lockSeconds: 5 }, compute)),
    );
    expect(computations).toBe(1);
    expect(new Set(texts.map((text) => String(text.bytes)))).toEqual(new Set(['report 1\n']));
    expect(await readFile(file, 'utf8')).toBe('report 1\n');
    // No temp file or lock left behind.
    expect((await readdir(join(dir, 'sub'))).sort()).toEqual(['report.json', 'report.json.gz']);
  });

  it('recomputes a cache older than the refresh age', async () => {
    const file = join(dir, 'report.txt');
    let n = 0;
    const compute = async () => `v${++n}`;
    expect(String((await cachedFile(file, { refreshSeconds: 60, lockSeconds: 5 }, compute)).bytes)).toBe(
      'v1',
    );
    expect(String((await cachedFile(file, { refreshSeconds: 60, lockSeconds: 5 }, compute)).bytes)).toBe(
      'v1',
    );
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);
    expect(String((await cachedFile(file, { refreshSeconds: 60, lockSeconds: 5 }, compute)).bytes)).toBe(
      'v2',
    );
  });

  it('keeps the old cache when a computation fails', async () => {
    const file = join(dir, 'report.txt');
    await cachedFile(file, { refreshSeconds: 0, lockSeconds: 5 }, async () => 'good');
    await expect(
      cachedFile(file, { refreshSeconds: 0, lockSeconds: 5 }, async () => {
        throw new Error('peer exploded');
      }),
    ).rejects.toThrow('peer exploded');
    expect(await readFile(file, 'utf8')).toBe('good');
    expect((await readdir(dir)).sort()).toEqual(['report.txt', 'report.txt.gz']);
  });
});
