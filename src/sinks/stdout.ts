/**
 * The stdout transport: each message body on its own, followed by a newline, as tstat_send
 * `--no-transport` prints each slice. Confirmation is the write having been flushed to the stream.
 */
import type { MessageSink, OutgoingMessage, SinkCounters } from './types.js';

export class StdoutSink implements MessageSink {
  readonly counters: SinkCounters = { published: 0, confirmed: 0, bytes: 0, connections: 1 };

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout) {}

  publish(message: OutgoingMessage): Promise<void> {
    this.counters.published++;
    this.counters.bytes += message.body.length;
    return new Promise((resolve, reject) => {
      // Bodies are ASCII (json.dumps ensure_ascii): latin1 encoding is a plain copy, utf8 would scan.
      const flushed = this.stream.write(`${message.body}\n`, 'latin1', (error) => {
        if (error) reject(error);
      });
      this.counters.confirmed++;
      if (flushed) resolve();
      else this.stream.once('drain', resolve);
    });
  }

  async confirmAll(): Promise<void> {}

  async recover(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}
}
