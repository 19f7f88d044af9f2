/**
 * The stdout transport: each message body on its own, followed by a newline, as tstat_send
 * `--no-transport` prints each slice. A message is confirmed once the stream has written it (for a file,
 * pipe or terminal: handed to the OS), so a directory is marked only after its output went out.
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
  /** Settles once the stream has written everything published so far. */
  private written: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {
    this.releases = writesToTheOs(stream);
  }

  publish(message: OutgoingMessage): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.counters.published++;
    this.counters.bytes += message.body.length;
    this.stream.write(message.body);
    // Write callbacks come in order: the newline's says the whole message went out.
    this.written = new Promise<void>((done) => {
      this.stream.write(NEWLINE, (error) => {
        if (error) this.failure ??= error;
        else {
          this.counters.confirmed++;
          if (this.releases) message.release?.();
        }
        done();
      });
    });
    // Waiting for every write would leave one write in flight at a time: let the stream hold a few
    // slices, so they go out in one writev while the next ones are rendered.
    const buffered = (this.stream as Partial<Writable>).writableLength ?? Infinity;
    return buffered < STDOUT_DEFAULTS.maxBufferedBytes ? Promise.resolve() : this.written;
  }

  /** Resolves once everything published is written (a directory is marked only then). */
  async confirmAll(): Promise<void> {
    await this.written;
    if (this.failure) throw this.failure;
  }

  async recover(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}
}
