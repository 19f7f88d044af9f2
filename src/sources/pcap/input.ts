/**
 * Byte inputs for the capture reader: a file read in large chunks, or any readable stream (stdin, a pipe,
 * tcpdump's stdout). Both fill a caller-owned buffer, so the reader never holds more than its window.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fromFsError } from '../../model/errors.js';

export interface ByteInput {
  /** Name for messages: the path, or `<stdin>`. */
  readonly name: string;
  /** Copies up to `length` bytes into `target` at `offset`; resolves 0 at the end of the input. */
  read(target: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

class FileInput implements ByteInput {
  constructor(
    readonly name: string,
    private readonly handle: FileHandle,
  ) {}

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    try {
      const { bytesRead } = await this.handle.read(target, offset, length, null);
      return bytesRead;
    } catch (error) {
      throw fromFsError(error, this.name);
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

class StreamInput implements ByteInput {
  private readonly chunks: AsyncIterator<Buffer | string>;
  private pending: Buffer | undefined;
  private pendingOffset = 0;

  constructor(
    readonly name: string,
    stream: Readable | NodeJS.ReadableStream,
  ) {
    this.chunks = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  }

  async read(target: Buffer, offset: number, length: number): Promise<number> {
    while (this.pending === undefined || this.pendingOffset >= this.pending.length) {
      const next = await this.chunks.next();
      if (next.done) return 0;
      this.pending = typeof next.value === 'string' ? Buffer.from(next.value, 'latin1') : next.value;
      this.pendingOffset = 0;
    }
    // Hand over what is there now: a live capture must be counted as it arrives, not when 4 MiB piled up.
    const copied = this.pending.copy(target, offset, this.pendingOffset, this.pendingOffset + length);
    this.pendingOffset += copied;
    return copied;
  }

  async close(): Promise<void> {
    await this.chunks.return?.();
  }
}

/** Opens `source`: a path, `-` for stdin, or a readable stream. */
export async function openByteInput(
  source: string | Readable | NodeJS.ReadableStream,
  name?: string,
): Promise<ByteInput> {
  if (typeof source !== 'string') return new StreamInput(name ?? '<stream>', source);
  if (source === '-') return new StreamInput('<stdin>', process.stdin);
  try {
    return new FileInput(source, await open(source, 'r'));
  } catch (error) {
    throw fromFsError(error, source);
  }
}
