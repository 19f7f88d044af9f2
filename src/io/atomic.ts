/**
 * Writing output files so that a reader never sees half of one: write a temp file beside the target,
 * fsync it, then rename it over the target (rename is atomic within one file system).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { fromFsError } from '../model/errors.js';

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes `content` to `target` atomically. On any failure the target is untouched and no temp file stays. */
export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw fromFsError(error, target);
  }
}
