/**
 * HTTP transport: POSTs each body to a URL (Content-Type application/json, optional bearer token, the
 * message id in `Idempotency-Key` and `X-Message-Id`). A 2xx answer confirms the message; a network error,
 * a timeout, 429 or 5xx is retried with exponential back-off; any other status fails at once.
 */
import { NetworkError, TimeoutError } from '../model/errors.js';
import type { HttpSettings } from './config.js';
import type { MessageSink, OutgoingMessage, SinkCounters } from './types.js';
import { backoffDelay, sleep } from './types.js';

export class HttpSink implements MessageSink {
  readonly counters: SinkCounters = { published: 0, confirmed: 0, bytes: 0, connections: 1 };

  constructor(private readonly settings: HttpSettings) {}

  async publish(message: OutgoingMessage): Promise<void> {
    this.counters.published++;
    this.counters.bytes += message.body.length;
    const { retries, retryDelayMs } = this.settings;
    try {
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.post(message);
        if (outcome === 'ok') {
          this.counters.confirmed++;
          return;
        }
        if (!outcome.retry || attempt >= retries) throw outcome.error;
        await sleep(backoffDelay(attempt + 1, retryDelayMs));
      }
    } finally {
      message.release?.();
    }
  }

  private async post(message: OutgoingMessage): Promise<'ok' | { retry: boolean; error: Error }> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': message.messageId,
      'x-message-id': message.messageId,
    };
    if (this.settings.token) headers.authorization = `Bearer ${this.settings.token}`;
    let response: Response;
    try {
      response = await fetch(this.settings.url, {
        method: 'POST',
        headers,
        body: message.body as Uint8Array<ArrayBuffer>,
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const reason =
        error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : '';
      return {
        retry: true,
        error: timedOut
          ? new TimeoutError(`POST ${this.settings.url} timed out after ${this.settings.timeoutMs / 1000} s`)
          : new NetworkError(`POST ${this.settings.url} failed: ${reason}`, error),
      };
    }
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return 'ok';
    const retry = response.status === 429 || response.status >= 500;
    return {
      retry,
      error: new NetworkError(`POST ${this.settings.url} answered ${response.status} ${response.statusText}`),
    };
  }

  async confirmAll(): Promise<void> {}

  async recover(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}
}
