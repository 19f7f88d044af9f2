/**
 * A file's bytes in whole lines, for the line formats' byte-level readers (tstat logs, NDJSON records):
 * one reused buffer, no strings, so a reader holds one chunk of the file whatever its size.
 */
import { open } from 'node:fs/promises';
import { fromFsError } from '../model/errors.js';

const NEWLINE = 0x0a;

export interface LineChunkOptions {
  /** Byte offset to start at (default 0). */
  start?: number;
  /** Byte offset to stop at, exclusive (default: the end of the file). */
  end?: number;
  /** Read size; the buffer grows for a longer line. */
  chunkBytes?: number;
  /**
   * Gives each region its own buffer, which the caller keeps (to hand it to another thread, say):
   * `allocate(bytes)` returns a buffer of exactly that size, fresh or reused, and the start of a line cut
   * by the end of a read is copied into the next buffer before the region is yielded. Without it one
   * buffer is reused.
   */
  allocate?: (bytes: number) => Buffer;
}

/**
 * Yields (buffer, end) with bytes[0, end) holding whole lines (the last region may end without a
 * newline). The buffer is reused (unless `allocate` is given): consume each region before asking for the
 * next. Errors of opening and reading are netledger errors naming the file.
 */
export async function* readLineChunks(
  file: string,
  options: LineChunkOptions = {},
): AsyncGenerator<[Buffer, number]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    throw fromFsError(error, file);
  }
  try {
    const allocate = options.allocate ?? ((bytes: number) => Buffer.allocUnsafe(bytes));
    let buffer = allocate(Math.max(1, options.chunkBytes ?? 1 << 20));
    let position = options.start ?? 0;
    const stop = options.end ?? Infinity;
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        // A line longer than the buffer: grow it.
        const grown = allocate(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      let bytesRead = 0;
      const wanted = Math.min(buffer.length - filled, stop - position);
      if (wanted > 0) {
        try {
          ({ bytesRead } = await handle.read(buffer, filled, wanted, position));
        } catch (error) {
          throw fromFsError(error, file);
        }
      }
      if (bytesRead === 0) {
        if (filled > 0) yield [buffer, filled];
        return;
      }
      position += bytesRead;
      filled += bytesRead;
      const lastNewline = buffer.lastIndexOf(NEWLINE, filled - 1);
      if (lastNewline < 0) continue;
      if (options.allocate === undefined) {
        yield [buffer, lastNewline + 1];
        buffer.copyWithin(0, lastNewline + 1, filled);
      } else {
        // The region leaves with its buffer (it may be transferred): move the cut line out first.
        const next = allocate(buffer.length);
        buffer.copy(next, 0, lastNewline + 1, filled);
        yield [buffer, lastNewline + 1];
        buffer = next;
      }
      filled -= lastNewline + 1;
    }
  } finally {
    await handle.close();
  }
}
