/**
 * RabbitMQ transport on a publisher-confirm channel (amqplib, loaded lazily).
 *
 * Publishes each body as tstat_send 0.6.5 does (`basic_publish` to the configured exchange and routing key,
 * content type application/json, delivery mode 1 unless `persistent`) plus a stable `messageId`. Confirms
 * are pipelined: many messages are in flight, `confirmAll` waits for the broker to ack every one. A nack
 * fails the batch; a dropped connection fails it too, and `recover` reconnects with exponential back-off
 * so the caller can resend the batch from its start.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { NetledgerError, NetworkError, TimeoutError, fromFsError } from '../model/errors.js';
import type { RabbitSettings } from './config.js';
import type { MessageSink, OutgoingMessage, SinkCounters } from './types.js';
import { backoffDelay, sleep } from './types.js';

export const RABBIT_DEFAULTS = {
  /**
   * Unconfirmed messages allowed in flight before publish waits. The local broker confirms within
   * milliseconds, so a few hundred keep it busy: 2,000 (100 KB messages) measured no faster, with ~7 %
   * more CPU and ~30 MiB more peak memory.
   */
  maxInFlight: 256,
  heartbeatSeconds: 30,
  closeTimeoutMs: 2000,
} as const;

export interface RabbitSinkOptions {
  /** Delivery mode 2 instead of the original's 1. */
  persistent?: boolean;
  log?: (event: string, message: string) => void;
}

/** The connection dropped or could not be made: resending after a reconnect may cure it. */
export class RabbitConnectionError extends NetworkError {}

export class RabbitSink implements MessageSink {
  readonly counters: SinkCounters = { published: 0, confirmed: 0, bytes: 0, connections: 0 };
  private model: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  /** Set when the connection is gone; every later call fails with it until `recover`. */
  private lost: RabbitConnectionError | undefined;
  /** The first refusal (nack) since the last `confirmAll`. */
  private refused: Error | undefined;
  private unconfirmed = 0;
  /** Bumped per connection: events of an older connection are ignored. */
  private generation = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly settings: RabbitSettings,
    private readonly options: RabbitSinkOptions = {},
  ) {}

  /** The broker's host name or address, as configured. */
  get host(): string {
    return this.settings.host;
  }

  /** Where the broker is, for messages (never the password). */
  get address(): string {
    const { useSsl, host, port, vhost } = this.settings;
    return `${useSsl ? 'amqps' : 'amqp'}://${host}:${port}${vhost.startsWith('/') ? '' : '/'}${vhost}`;
  }

  /** Connects (once); a refused login is an NL_ERR_AUTH error, an unreachable broker a network error. */
  async open(): Promise<void> {
    const amqp = await import('amqplib');
    const { settings } = this;
    const socketOptions: Record<string, unknown> = {};
    if (settings.useSsl) {
      const read = (file: string | undefined): Buffer | undefined => {
        if (file === undefined) return undefined;
        try {
          return readFileSync(file);
        } catch (error) {
          throw fromFsError(error, file);
        }
      };
      const ca = read(settings.tls.ca);
      if (ca) socketOptions.ca = [ca];
      const cert = read(settings.tls.cert);
      if (cert) socketOptions.cert = cert;
      const key = read(settings.tls.key);
      if (key) socketOptions.key = key;
      socketOptions.rejectUnauthorized = settings.tls.verify;
      // SNI carries host names only (RFC 6066): Node warns on an address, and checks it against the
      // certificate's IP entries without it.
      if (isIP(settings.host) === 0) socketOptions.servername = settings.host;
    }
    let model: ChannelModel;
    try {
      model = await amqp.connect(
        {
          protocol: settings.useSsl ? 'amqps' : 'amqp',
          hostname: settings.host,
          port: settings.port,
          username: settings.username,
          password: settings.password,
          vhost: settings.vhost,
          heartbeat: RABBIT_DEFAULTS.heartbeatSeconds,
        },
        socketOptions,
      );
    } catch (error) {
      throw this.connectError(error);
    }
    this.counters.connections++;
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    model.on('error', () => undefined); // reported through 'close'
    model.on('close', (error?: Error) => {
      if (current()) this.markLost(error);
    });
    try {
      const channel = await model.createConfirmChannel();
      channel.on('error', () => undefined);
      channel.on('close', () => {
        if (current()) this.markLost(undefined);
      });
      channel.on('drain', () => this.notify());
      if (settings.queue !== '') await channel.assertQueue(settings.queue, settings.queueOptions);
      this.channel = channel;
    } catch (error) {
      await model.close().catch(() => undefined);
      const reason = error instanceof Error ? error.message : String(error);
      throw new NetworkError(`RabbitMQ at ${this.address} refused the queue setup: ${reason}`, error);
    }
    this.model = model;
    this.lost = undefined;
    this.refused = undefined;
    this.unconfirmed = 0;
  }

  async publish(message: OutgoingMessage): Promise<void> {
    while (this.lost === undefined && this.unconfirmed >= RABBIT_DEFAULTS.maxInFlight) await this.next();
    const channel = this.usableChannel();
    const generation = this.generation;
    let accepted: boolean;
    try {
      // amqplib copies the body into its frames before publish returns (connection.sendMessage), so the
      // slice's memory is free for reuse right after: test/tstat/rabbit.test.ts checks it.
      accepted = channel.publish(
        this.settings.exchange,
        this.settings.routingKey,
        message.body,
        {
          contentType: 'application/json',
          deliveryMode: this.options.persistent ? 2 : 1,
          messageId: message.messageId,
        },
        (error: unknown) => {
          if (generation !== this.generation) return;
          this.unconfirmed--;
          if (error) {
            // A callback error while the connection is up is the broker's nack.
            if (this.lost === undefined)
              this.refused ??= new NetworkError('RabbitMQ refused (nacked) a message');
          } else this.counters.confirmed++;
          this.notify();
        },
      );
    } catch (error) {
      // amqplib throws synchronously once the channel is closed.
      throw this.markLost(error instanceof Error ? error : undefined);
    } finally {
      message.release?.();
    }
    this.unconfirmed++;
    this.counters.published++;
    this.counters.bytes += message.body.length;
    if (!accepted) await this.next();
    if (this.lost) throw this.lost;
  }

  async confirmAll(timeoutMs = this.settings.confirmTimeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      while (this.unconfirmed > 0 && this.lost === undefined) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new TimeoutError(
            `RabbitMQ at ${this.address} did not confirm ${this.unconfirmed} message(s) within ${timeoutMs / 1000} s`,
          );
        }
        await new Promise<void>((resolve) => {
          timer = setTimeout(resolve, left);
          this.waiters.push(resolve);
        });
        clearTimeout(timer);
      }
    } finally {
      clearTimeout(timer);
    }
    if (this.lost) throw this.lost;
    const refused = this.refused;
    this.refused = undefined;
    if (refused) throw refused;
  }

  async recover(error: unknown): Promise<boolean> {
    if (!(error instanceof RabbitConnectionError)) return false;
    await this.closeQuietly();
    const { reconnectAttempts, reconnectDelayMs } = this.settings;
    let last: unknown = error;
    for (let attempt = 1; attempt <= reconnectAttempts; attempt++) {
      const delay = backoffDelay(attempt, reconnectDelayMs);
      this.options.log?.('rabbit.reconnect', `attempt ${attempt}/${reconnectAttempts} in ${delay} ms`);
      await sleep(delay);
      try {
        await this.open();
        return true;
      } catch (reconnectError) {
        last = reconnectError;
        if (!(reconnectError instanceof RabbitConnectionError)) throw reconnectError;
      }
    }
    throw last;
  }

  async close(): Promise<void> {
    await this.closeQuietly();
  }

  private async closeQuietly(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.channel = undefined;
    if (model === undefined) return;
    // A broker that stopped answering would never send close-ok: do not wait for it for ever.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      model.close().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, RABBIT_DEFAULTS.closeTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private usableChannel(): ConfirmChannel {
    if (this.lost) throw this.lost;
    if (this.channel === undefined)
      throw new RabbitConnectionError(`not connected to RabbitMQ at ${this.address}`);
    return this.channel;
  }

  private markLost(error: Error | undefined): RabbitConnectionError {
    if (this.lost === undefined) {
      const reason = error?.message ?? 'connection closed';
      this.lost = new RabbitConnectionError(
        `connection to RabbitMQ at ${this.address} lost: ${reason}`,
        error,
      );
      this.channel = undefined;
      this.notify();
    }
    return this.lost;
  }

  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private connectError(error: unknown): NetledgerError {
    const message = error instanceof Error ? error.message : String(error);
    if (/ACCESS[-_]REFUSED|403/.test(message)) {
      return new NetledgerError(
        'NL_ERR_AUTH',
        `RabbitMQ at ${this.address} refused the login of user "${this.settings.username}" (wrong username or password?)`,
        { cause: error },
      );
    }
    if (/NOT[-_]ALLOWED|530/.test(message)) {
      return new NetledgerError(
        'NL_ERR_AUTH',
        `RabbitMQ at ${this.address} refused access to vhost "${this.settings.vhost}" for user "${this.settings.username}"`,
        { cause: error },
      );
    }
    return new RabbitConnectionError(
      `unable to connect to rabbit at ${this.address}: ${message} - retry with --debug for details`,
      error,
    );
  }
}
