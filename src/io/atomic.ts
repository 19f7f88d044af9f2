/**
 * Writing output files so that a reader never sees half of one: write a temp file beside the target,
 * fsync it, then rename it over the target (rename is atomic within one file system).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { fromFsError } from '../model/errors.js';

export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** What an output is: one text or bytes, or bytes in chunks (written one after another, never joined). */
export type OutputContent = string | Uint8Array | Iterable<Uint8Array>;

/** Writes `content` to `target` atomically. On any failure the target is untouched and no temp file stays. */
export async function writeFileAtomic(target: string, content: OutputContent): Promise<void> {
  const temp = tempPathFor(target);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) await handle.writeFile(content);
      else for (const chunk of content) await writeAll(handle, chunk);
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

/** Writes all of `chunk` at the handle's position (a write may take fewer bytes than it is given). */
async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    offset += (await handle.write(chunk, offset, chunk.length - offset)).bytesWritten;
  }
}
