/**
 * The Sniffer seed's report cache, for any text: a cache file served while younger than `refresh`
 * seconds; otherwise one caller takes the lock, re-checks (someone may have refreshed it meanwhile),
 * computes and renames the new file into place. Many viewers cost one computation.
 *
 * A gzip copy (`<file>.gz`) is written first, beside it, so that large reports (a composite of many hosts is
 * tens of MB of JSON) go over the wire compressed without compressing them per view.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { writeFileAtomic } from '../io/atomic.js';
import { withLock } from '../io/lock.js';

export interface CacheSettings {
  /** Maximum age of the cache file, seconds. */
  refreshSeconds: number;
  /** Longest wait for the lock, seconds. */
  lockSeconds: number;
}

export type Encoding = 'identity' | 'gzip';

export interface CachedBody {
  bytes: Buffer;
  encoding: Encoding;
}

const gzip = promisify(gzipCallback);

async function freshBytes(
  file: string,
  refreshSeconds: number,
  encoding: Encoding,
): Promise<CachedBody | undefined> {
  try {
    if ((await stat(file)).mtimeMs + refreshSeconds * 1000 < Date.now()) return undefined;
    if (encoding === 'gzip') {
      const packed = await readFile(`${file}.gz`).catch(() => undefined);
      if (packed !== undefined) return { bytes: packed, encoding };
    }
    return { bytes: await readFile(file), encoding: 'identity' };
  } catch {
    return undefined;
  }
}

/**
 * The cache file's bytes (served as they are, never decoded), gzipped when `encoding` asks for it; computed
 * again when older than the refresh age.
 */
export async function cachedFile(
  file: string,
  settings: CacheSettings,
  compute: () => Promise<string>,
  encoding: Encoding = 'identity',
): Promise<CachedBody> {
  const cached = await freshBytes(file, settings.refreshSeconds, encoding);
  if (cached !== undefined) return cached;
  await mkdir(dirname(file), { recursive: true });
  return withLock(`${file}.lock`, settings.lockSeconds, async () => {
    const again = await freshBytes(file, settings.refreshSeconds, encoding);
    if (again !== undefined) return again;
    const bytes = Buffer.from(await compute(), 'utf8');
    const packed = await gzip(bytes);
    // The plain file last: its time is what marks the pair fresh.
    await writeFileAtomic(`${file}.gz`, packed);
    await writeFileAtomic(file, bytes);
    return encoding === 'gzip' ? { bytes: packed, encoding } : { bytes, encoding };
  });
}
