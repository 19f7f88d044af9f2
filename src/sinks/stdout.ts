/**
 * The stdout transport: each message body on its own, followed by a newline, as tstat_send
 * `--no-transport` prints each slice. Confirmation is the write having been accepted by the stream.
 */
import { WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { MessageSink, OutgoingMessage, SinkCounters } from './types.js';

export const STDOUT_DEFAULTS = {
  /** Bytes the stream may buffer before publish waits for it to drain (a few slices in one write). */
  maxBufferedBytes: 8 << 20,
} as const;

const NEWLINE = Buffer.from('\n');

/**
 * True when a finished write of `stream` means the bytes went to the OS (a file, pipe, socket or
 * terminal), so the chunk may be reused. A stream in memory (a PassThrough) hands the chunk itself on.
 */
function writesToTheOs(stream: NodeJS.WritableStream): boolean {
  if (stream instanceof WriteStream || stream instanceof Socket) return true;
  // process.stdout redirected to a file is a SyncWriteStream, which has its fd.
  return typeof (stream as { fd?: unknown }).fd === 'number';
}

export class StdoutSink implements MessageSink {
  readonly counters: SinkCounters = { published: 0, confirmed: 0, bytes: 0, connections: 1 };
  private readonly releases: boolean;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    this.releases = writesToTheOs(stream);
  }

  publish(message: OutgoingMessage): Promise<void> {
    this.counters.published++;
    this.counters.bytes += message.body.length;
    return new Promise((resolve, reject) => {
      this.stream.write(message.body);
      const accepted = this.stream.write(NEWLINE, (error) => {
        if (error) reject(error);
        else if (this.releases) message.release?.();
      });
      this.counters.confirmed++;
      // Waiting for a drain after every slice would leave one write in flight at a time: let the stream
      // hold a few slices, so they go out in one writev while the next ones are rendered.
      const buffered = (this.stream as Partial<Writable>).writableLength;
      if (accepted || (buffered !== undefined && buffered < STDOUT_DEFAULTS.maxBufferedBytes)) resolve();
      else this.stream.once('drain', resolve);
    });
  }

  async confirmAll(): Promise<void> {}

  async recover(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}
}
