import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sniffAdapter } from './adapters.js';
import { hashFile } from './ingest.js';
import { sqlString } from './sql.js';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('hashFile', () => {
  it('gives the whole-file digest and the digests of every recorded prefix in one pass', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netledger-hash-'));
    try {
      const data = Buffer.alloc(3_000_000, 'x');
      data.write('different', 2_500_000);
      const path = join(dir, 'f');
      await writeFile(path, data);
      const { contentHash, prefixHashes } = await hashFile(
        path,
        data.length,
        [1, 1_048_577, 2_999_999, 5_000_000],
      );
      expect(contentHash).toBe(sha256(data));
      expect(Object.fromEntries(prefixHashes)).toEqual({
        1: sha256(data.subarray(0, 1)),
        1048577: sha256(data.subarray(0, 1_048_577)),
        2999999: sha256(data.subarray(0, 2_999_999)),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('sniffAdapter', () => {
  it('recognises NDJSON records from their first bytes only', () => {
    expect(sniffAdapter(Buffer.from('\n{"start": 1, "end": 2}'))?.format).toBe('ndjson');
    expect(sniffAdapter(Buffer.from('{"hello": 1}'))).toBeUndefined();
    expect(sniffAdapter(Buffer.from('# start: 1145923212'))).toBeUndefined();
  });
});

describe('sqlString', () => {
  it('escapes quotes and backslashes for ClickHouse', () => {
    expect(sqlString("it's a \\ test")).toBe("'it\\'s a \\\\ test'");
  });
});
