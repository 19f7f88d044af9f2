/**
 * `netledger collect`: consume record batches from a RabbitMQ queue and write each to the ledger in its
 * own transaction. A message is acknowledged only after its transaction committed, so a crash or a lost
 * broker never loses a batch; a redelivered batch is recognised by its batch id and not counted twice.
 *
 * A message body is JSON: an array of records, or `{ "batchId": "…", "records": [ … ] }`, or NDJSON (one
 * record per line). The batch id is the body's `batchId`, else the AMQP `messageId`, else the SHA-256 of
 * the body (a byte-identical redelivery is then still recognised).
 */
import { createHash } from 'node:crypto';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { NetledgerError, NetworkError } from '../model/errors.js';
import type { TrafficRecord } from '../model/record.js';
import { recordFromJson } from './record-json.js';
import type { Ledger } from './types.js';

export interface CollectOptions {
  url: string;
  queue: string;
  /** Unacknowledged messages the broker may send ahead (default 16). */
  prefetch?: number;
  /** Stop after this many messages were settled (tests, one-shot drains). */
  maxBatches?: number;
  /** Stop after this many seconds without a message. */
  idleSeconds?: number;
  /** Called after each message is settled. */
  onBatch?: (event: BatchEvent) => void;
  /** Resolves to stop collecting (e.g. on SIGINT). */
  stop?: Promise<void>;
}

export interface BatchEvent {
  batchId: string;
  status: 'ingested' | 'duplicate' | 'rejected';
  records: number;
  /** Why a batch was rejected. */
  reason?: string;
}

export interface CollectSummary {
  batches: number;
  duplicates: number;
  rejected: number;
  records: number;
}

const DEFAULTS = { prefetch: 16 };

/** Parses a message body into records, or returns why it cannot be ingested. */
export function parseBatch(
  body: Buffer,
  messageId: string | undefined,
): { batchId: string; records: TrafficRecord[] } | { batchId: string; error: string } {
  const text = body.toString('utf8');
  let batchId = messageId ?? `sha256:${createHash('sha256').update(body).digest('hex')}`;
  let items: unknown[];
  try {
    const trimmed = text.trim();
    if (trimmed.startsWith('[')) items = JSON.parse(trimmed) as unknown[];
    else if (/^\{\s*"(batchId|records)"/.test(trimmed)) {
      const envelope = JSON.parse(trimmed) as { batchId?: unknown; records?: unknown };
      if (typeof envelope.batchId === 'string' && envelope.batchId !== '') batchId = envelope.batchId;
      if (!Array.isArray(envelope.records)) return { batchId, error: "'records' must be an array" };
      items = envelope.records;
    } else {
      items = trimmed === '' ? [] : trimmed.split('\n').map((line) => JSON.parse(line) as unknown);
    }
  } catch (error) {
    return { batchId, error: `not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const records: TrafficRecord[] = [];
  for (const [index, item] of items.entries()) {
    const record = recordFromJson(item);
    if (typeof record === 'string') return { batchId, error: `record ${index + 1}: ${record}` };
    records.push(record);
  }
  return { batchId, records };
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export async function collect(ledger: Ledger, options: CollectOptions): Promise<CollectSummary> {
  const amqp = await import('amqplib');
  let connection: ChannelModel;
  try {
    connection = await amqp.connect(options.url);
  } catch (error) {
    throw new NetworkError(
      `cannot connect to the AMQP broker at ${redactUrl(options.url)}: ${describe(error)}`,
      error,
    );
  }
  const summary: CollectSummary = { batches: 0, duplicates: 0, rejected: 0, records: 0 };
  let stopping = false;
  let finish!: (error?: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = (error) => {
      stopping = true;
      if (error === undefined) resolve();
      else reject(error);
    };
  });
  const lost = (error?: unknown) => {
    if (!stopping) {
      finish(
        new NetworkError(
          `lost the connection to the AMQP broker${error ? `: ${describe(error)}` : ''}; unacknowledged batches stay queued`,
          error,
        ),
      );
    }
  };
  connection.on('error', lost);
  connection.on('close', lost);
  let channel: Channel | undefined;
  // Closing the channel first waits for the broker's close-ok, so acks written just before reach the broker
  // (closing the connection at once can drop the channel's last frames).
  const shutdown = async () => {
    await channel?.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
  };
  try {
    const consumer = await connection.createChannel();
    channel = consumer;
    consumer.on('error', lost);
    await consumer.assertQueue(options.queue, { durable: true });
    await consumer.prefetch(options.prefetch ?? DEFAULTS.prefetch);
    let idleTimer: NodeJS.Timeout | undefined;
    const armIdle = () => {
      if (options.idleSeconds === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => finish(), options.idleSeconds * 1000);
    };
    armIdle();
    // Messages are handled one after another: each is one ledger transaction.
    let work = Promise.resolve();
    const handle = async (message: ConsumeMessage) => {
      const parsed = parseBatch(message.content, message.properties.messageId as string | undefined);
      let event: BatchEvent;
      if ('error' in parsed) {
        consumer.nack(message, false, false);
        summary.rejected++;
        event = { batchId: parsed.batchId, status: 'rejected', records: 0, reason: parsed.error };
      } else {
        const identity = `batch:${parsed.batchId}`;
        const outcome = await ledger.ingestSource(
          {
            identity,
            path: `amqp:${options.queue}`,
            format: 'records-json',
            fromOffset: 0,
            size: message.content.length,
            contentHash: createHash('sha256').update(identity).digest('hex'),
          },
          (async function* () {
            yield parsed.records;
          })(),
        );
        consumer.ack(message);
        if (outcome.status === 'unchanged') summary.duplicates++;
        else summary.records += outcome.records;
        event = {
          batchId: parsed.batchId,
          status: outcome.status === 'unchanged' ? 'duplicate' : 'ingested',
          records: outcome.records,
        };
      }
      summary.batches++;
      options.onBatch?.(event);
      armIdle();
      if (options.maxBatches !== undefined && summary.batches >= options.maxBatches) finish();
    };
    await consumer.consume(
      options.queue,
      (message) => {
        if (message === null) return lost(new Error('the broker cancelled the consumer'));
        work = work
          .then(() => (stopping ? undefined : handle(message)))
          .catch((error: unknown) => {
            // The ledger refused the batch: leave it queued and stop.
            try {
              consumer.nack(message, false, true);
            } catch {
              // The channel may be gone already; the broker requeues unacknowledged messages anyway.
            }
            finish(error);
          });
      },
      { noAck: false },
    );
    void options.stop?.then(() => finish());
    try {
      await done;
    } finally {
      clearTimeout(idleTimer);
      await work.catch(() => undefined);
    }
  } catch (error) {
    stopping = true;
    await shutdown();
    throw error instanceof NetledgerError ? error : new NetworkError(`AMQP: ${describe(error)}`, error);
  }
  await shutdown();
  return summary;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== undefined && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}
