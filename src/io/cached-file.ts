/**
 * The Sniffer seed's report cache (Report.pm `web_report`), for any report: a cache file served while
 * younger than `refresh` seconds; otherwise one caller takes the lock, re-checks (someone may have
 * refreshed it meanwhile), computes and renames the new file into place. Many viewers cost one computation.
 * `netledger sniffer web-report` and the server's report endpoints both use it.
 *
 * Optionally a gzip copy (`<file>.gz`) is written first, beside it, so that large reports (a composite of
 * many hosts is tens of MB of JSON) go over the wire compressed without compressing them per view.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { writeFileAtomic } from './atomic.js';
import { withLock } from './lock.js';

export interface CacheSettings {
  /** Maximum age of the cache file, seconds. */
  refreshSeconds: number;
  /** Longest wait for the lock, seconds. */
  lockSeconds: number;
  /** The lock file (default `<file>.lock`). */
  lockFile?: string;
  /** Keep a gzip copy beside the file (default true). */
  gzipCopy?: boolean;
  /** Which time of the file is its age: `mtime` (default), or `ctime` as the Sniffer original reads it. */
  clock?: 'mtime' | 'ctime';
}

export type Encoding = 'identity' | 'gzip';

export interface CachedBody {
  bytes: Buffer;
  encoding: Encoding;
}

const gzip = promisify(gzipCallback);

async function freshBytes(
  file: string,
  settings: CacheSettings,
  encoding: Encoding,
): Promise<CachedBody | undefined> {
  try {
    const times = await stat(file);
    const changed = settings.clock === 'ctime' ? times.ctimeMs : times.mtimeMs;
    if (changed + settings.refreshSeconds * 1000 < Date.now()) return undefined;
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
 * The cache file's bytes (served as they are, never decoded), gzipped when `encoding` asks for it and a
 * gzip copy is kept; computed again when older than the refresh age. A computed string is stored as UTF-8;
 * computed bytes are stored as they are.
 */
export async function cachedFile(
  file: string,
  settings: CacheSettings,
  compute: () => Promise<string | Buffer>,
  encoding: Encoding = 'identity',
): Promise<CachedBody> {
  const cached = await freshBytes(file, settings, encoding);
  if (cached !== undefined) return cached;
  await mkdir(dirname(file), { recursive: true });
  return withLock(settings.lockFile ?? `${file}.lock`, settings.lockSeconds, async () => {
    const again = await freshBytes(file, settings, encoding);
    if (again !== undefined) return again;
    const computed = await compute();
    const bytes = typeof computed === 'string' ? Buffer.from(computed, 'utf8') : computed;
    if (settings.gzipCopy === false) {
      await writeFileAtomic(file, bytes);
      return { bytes, encoding: 'identity' };
    }
    const packed = await gzip(bytes);
    // The plain file last: its time is what marks the pair fresh.
    await writeFileAtomic(`${file}.gz`, packed);
    await writeFileAtomic(file, bytes);
    return encoding === 'gzip' ? { bytes: packed, encoding } : { bytes, encoding };
  });
}
