/**
 * `netledger collect` against the real RabbitMQ on 127.0.0.1:5672: acknowledgement after commit, duplicate
 * batches, poison messages, and the broker vanishing mid-stream (through a TCP proxy the test cuts).
 */
import amqp from 'amqplib';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGroupBy } from '../../src/aggregate/keys.js';
import { totalsOfRecords } from '../../src/aggregate/totals.js';
import { collect, type BatchEvent } from '../../src/ledger/collect.js';
import { ClickHouseLedger } from '../../src/ledger/clickhouse.js';
import { DuckDbLedger } from '../../src/ledger/duckdb.js';
import { canConnect, requireService } from '../support/services.js';
import { generateRecords } from './generate.js';
import { runInProcess } from './run.js';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const available = requireService(await canConnect(5672), 'RabbitMQ on 127.0.0.1:5672');
const clickhouse = available && requireService(await canConnect(8123), 'ClickHouse on 127.0.0.1:8123');

async function publish(queue: string, messages: Array<{ body: string; messageId?: string }>): Promise<void> {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, { durable: true });
  for (const message of messages) {
    channel.sendToQueue(queue, Buffer.from(message.body), {
      persistent: true,
      ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
    });
  }
  await channel.waitForConfirms();
  await connection.close();
}

async function queueDepthAndDelete(queue: string): Promise<number> {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  const { messageCount } = await channel.checkQueue(queue);
  await channel.deleteQueue(queue);
  await connection.close();
  return messageCount;
}

/** A TCP proxy to the broker that the test can cut, as if the broker went down. */
function brokerProxy(): Promise<{ port: number; cut: () => void; server: Server }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(5672, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
    client.pipe(upstream).pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address !== null ? address.port : 0,
        server,
        cut: () => {
          server.close();
          for (const socket of sockets) socket.destroy();
        },
      });
    });
  });
}

describe.runIf(available)('netledger collect', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netledger-collect-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests each batch once, skips redelivered ones, rejects a poison message', async () => {
    const queue = `netledger-test-${randomBytes(6).toString('hex')}`;
    const a = generateRecords(40, 21);
    const b = generateRecords(60, 22);
    await publish(queue, [
      { body: JSON.stringify(a), messageId: 'batch-a' },
      { body: JSON.stringify(a), messageId: 'batch-a' },
      { body: JSON.stringify({ batchId: 'batch-b', records: b }) },
      { body: 'not json', messageId: 'poison' },
    ]);
    const ledger = join(dir, 'collect.duckdb');
    const result = await runInProcess([
      'collect',
      '--amqp',
      AMQP_URL,
      '--queue',
      queue,
      '--ledger',
      ledger,
      '--max-batches',
      '4',
    ]);
    expect(result.stdout).toBe('4 batches: 100 records added, 1 duplicates skipped, 1 rejected\n');
    expect(result.stderr).toMatch(/^netledger: batch poison rejected: not JSON: .*\n$/);
    expect(result.code).toBe(0);
    const top = await runInProcess([
      'top',
      '--ledger',
      ledger,
      '--by',
      'host',
      '--format',
      'ndjson',
      '--limit',
      '100',
    ]);
    const expected = totalsOfRecords([...a, ...b], parseGroupBy('host'));
    expect(
      top.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual(
      expected.map((total) => ({
        key: total.key,
        bytes: Number(total.bytes),
        packets: Number(total.packets),
        records: Number(total.records),
      })),
    );
    expect(await queueDepthAndDelete(queue)).toBe(0);
  });

  it('stops with one clear error when the broker goes away, and loses or doubles nothing', async () => {
    const queue = `netledger-test-${randomBytes(6).toString('hex')}`;
    const batches = Array.from({ length: 6 }, (_, index) => generateRecords(30, 100 + index));
    await publish(
      queue,
      batches.map((records, index) => ({ body: JSON.stringify(records), messageId: `m${index}` })),
    );
    const ledger = await DuckDbLedger.open(join(dir, 'down.duckdb'));
    try {
      const proxy = await brokerProxy();
      const seen: BatchEvent[] = [];
      await expect(
        collect(ledger, {
          url: `amqp://guest:guest@127.0.0.1:${proxy.port}`,
          queue,
          prefetch: 1,
          onBatch: (event) => {
            seen.push(event);
            if (seen.length === 2) proxy.cut();
          },
        }),
      ).rejects.toThrow(/^lost the connection to the AMQP broker.*; unacknowledged batches stay queued$/);
      const committed = (await ledger.sources()).length;
      expect(committed).toBeGreaterThanOrEqual(2);
      // Everything left (including a batch whose ack the cut swallowed) arrives again; nothing counts twice.
      const summary = await collect(ledger, { url: AMQP_URL, queue, idleSeconds: 1 });
      expect(summary.records + seen.reduce((sum, event) => sum + event.records, 0)).toBe(180);
      expect(await ledger.sources()).toHaveLength(6);
      expect(await ledger.top({ by: parseGroupBy('host') })).toEqual(
        totalsOfRecords(batches.flat(), parseGroupBy('host')),
      );
    } finally {
      await ledger.close();
    }
    expect(await queueDepthAndDelete(queue)).toBe(0);
  });

  it.runIf(clickhouse)('collects into a ClickHouse ledger with the same guarantees', async () => {
    const queue = `netledger-test-${randomBytes(6).toString('hex')}`;
    const records = generateRecords(80, 31);
    await publish(queue, [
      { body: JSON.stringify(records), messageId: 'ch-1' },
      { body: JSON.stringify(records), messageId: 'ch-1' },
    ]);
    const db = `nl_test_${randomBytes(6).toString('hex')}`;
    const ledger = await ClickHouseLedger.open(`clickhouse://127.0.0.1:8123/${db}`);
    try {
      expect(await collect(ledger, { url: AMQP_URL, queue, maxBatches: 2 })).toEqual({
        batches: 2,
        duplicates: 1,
        rejected: 0,
        records: 80,
      });
      expect(await ledger.top({ by: parseGroupBy('host') })).toEqual(
        totalsOfRecords(records, parseGroupBy('host')),
      );
    } finally {
      await ledger.close();
      await fetch('http://127.0.0.1:8123/', { method: 'POST', body: `DROP DATABASE IF EXISTS ${db}` });
    }
    expect(await queueDepthAndDelete(queue)).toBe(0);
  });

  it('says so when the broker cannot be reached', async () => {
    const result = await runInProcess([
      'collect',
      '--amqp',
      'amqp://guest:secret@127.0.0.1:1',
      '--queue',
      'q',
      '--ledger',
      join(dir, 'x.duckdb'),
    ]);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(
      /^netledger: cannot connect to the AMQP broker at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED.*\n$/,
    );
  });
});
