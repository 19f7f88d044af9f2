/**
 * What the RabbitMQ tests share: the `[rabbit]` stanza of a tstat_send config (the keys the original
 * requires, pointed at the local broker), fresh queue names, and reading a queue back.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChannelModel, GetMessage } from 'amqplib';
import type { RabbitSettings } from '../../src/sinks/config.js';

/** Every key the original requires, for guest on the local broker; `queue` and `routing_key` are filled in. */
export const LOCAL_RABBIT: Readonly<Record<string, string>> = {
  host: '127.0.0.1',
  port: '5672',
  username: 'guest',
  password: 'guest',
  use_ssl: 'False',
  vhost: '/',
  queue: 'q',
  routing_key: 'q',
  exchange: '',
};

/** The text of a config file: `[rabbit]` with `settings`, then `tail` (more stanzas). */
export function rabbitConfigText(settings: Readonly<Record<string, string>>, tail = ''): string {
  const body = Object.entries(settings)
    .map(([key, value]) => `${key} = ${value}`)
    .join('\n');
  return `[rabbit]\n${body}\n${tail}`;
}

/** Writes `dir/config.ini` for `queue` on the local broker (reconnects quickly), `extra` overriding. */
export async function writeRabbitConfig(
  dir: string,
  queue: string,
  extra: Partial<Record<string, string>> = {},
  tail = '',
): Promise<string> {
  const settings: Record<string, string> = {
    ...LOCAL_RABBIT,
    queue,
    routing_key: queue,
    reconnect_delay_ms: '50',
  };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) settings[key] = value;
  const file = join(dir, 'config.ini');
  await writeFile(file, rabbitConfigText(settings, tail));
  return file;
}

/** A queue name no other test (or earlier run) uses. */
export function newQueueName(): string {
  return `nl-tstat-test-${randomBytes(6).toString('hex')}`;
}

export interface ReceivedMessage {
  body: string;
  messageId: string;
  contentType: string | undefined;
  deliveryMode: number | undefined;
}

/** Takes every message waiting in `queue`, in order. */
export async function drainQueue(broker: ChannelModel, queue: string): Promise<ReceivedMessage[]> {
  const channel = await broker.createChannel();
  const received: ReceivedMessage[] = [];
  for (;;) {
    const message: GetMessage | false = await channel.get(queue, { noAck: true });
    if (message === false) break;
    received.push({
      body: message.content.toString('utf8'),
      messageId: message.properties.messageId as string,
      contentType: message.properties.contentType as string | undefined,
      deliveryMode: message.properties.deliveryMode as number | undefined,
    });
  }
  await channel.close();
  return received;
}

/** Whether `queue` exists on the broker (a sender that never got in must not have declared it). */
export async function queueExists(broker: ChannelModel, queue: string): Promise<boolean> {
  const channel = await broker.createChannel();
  channel.on('error', () => undefined);
  try {
    await channel.checkQueue(queue);
    await channel.close();
    return true;
  } catch (error) {
    if (/NOT[-_]FOUND/.test(String(error))) return false; // the broker closed the channel
    throw error;
  }
}

/** Settings of a RabbitSink publishing to `queue` on the local broker as guest, no reconnects. */
export function localRabbitSettings(queue: string, overrides: Partial<RabbitSettings> = {}): RabbitSettings {
  return {
    host: '127.0.0.1',
    port: 5672,
    username: 'guest',
    password: 'guest',
    useSsl: false,
    vhost: '/',
    queue,
    routingKey: queue,
    exchange: '',
    queueOptions: {},
    tls: { verify: true },
    reconnectAttempts: 0,
    reconnectDelayMs: 50,
    confirmTimeoutMs: 30_000,
    ...overrides,
  };
}
