/**
 * The Sniffer seed's report cache, for any text: a cache file served while younger than `refresh`
 * seconds; otherwise one caller takes the lock, re-checks (someone may have refreshed it meanwhile),
 * computes and renames the new file into place. Many viewers cost one computation.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { withLock } from '../io/lock.js';

export interface CacheSettings {
  /** Maximum age of the cache file, seconds. */
  refreshSeconds: number;
  /** Longest wait for the lock, seconds. */
  lockSeconds: number;
}

async function freshBytes(file: string, refreshSeconds: number): Promise<Buffer | undefined> {
  try {
    if ((await stat(file)).mtimeMs + refreshSeconds * 1000 < Date.now()) return undefined;
    return await readFile(file);
  } catch {
    return undefined;
  }
}

/** The cache file's bytes (served as they are, never decoded), computed again when older than the refresh age. */
export async function cachedFile(
  file: string,
  settings: CacheSettings,
  compute: () => Promise<string>,
): Promise<Buffer> {
  const cached = await freshBytes(file, settings.refreshSeconds);
  if (cached !== undefined) return cached;
  await mkdir(dirname(file), { recursive: true });
  return withLock(`${file}.lock`, settings.lockSeconds, async () => {
    const again = await freshBytes(file, settings.refreshSeconds);
    if (again !== undefined) return again;
    const bytes = Buffer.from(await compute(), 'utf8');
    await writeFileAtomic(file, bytes);
    return bytes;
  });
}
