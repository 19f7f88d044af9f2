/**
 * tstat send over a real RabbitMQ (127.0.0.1:5672, guest/guest): publish, consume back, compare every
 * object; a connection killed mid-directory (through a local TCP proxy the test controls); a nack; a
 * wrong password. Each test uses its own queue and deletes it.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect as connectTcp, createServer } from 'node:net';
import { join } from 'node:path';
import type { ChannelModel } from 'amqplib';
import { connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canConnect, requireService } from '../support/services.js';
import { runTstatSend } from '../../src/cli/tstat/run.js';
import { SILENT_LOG } from '../../src/transport/tstat-log.js';
import { sendTstatTree, sliceMessageId } from '../../src/transport/tstat-send.js';
import { RabbitSink } from '../../src/sinks/rabbit.js';
import { main as tstatSend } from '../../src/compat/tstat_send.js';
import {
  drainQueue,
  localRabbitSettings,
  newQueueName,
  writeRabbitConfig,
  type ReceivedMessage,
} from './broker.js';
import { generateTstatTree } from './generate.js';
import { captureStderr, printTree, tempDir } from './helpers.js';

const available = requireService(await canConnect(5672), 'RabbitMQ on 127.0.0.1:5672');

/**
 * A TCP proxy to the broker that can cut the first connection after `killAfterBytes` sent upstream, or
 * (`mute`) stop passing the broker's answers on from then, so no confirm ever arrives.
 */
async function startProxy(killAfterBytes: number, refuseAfterKill: boolean, mute = false) {
  const sockets = new Set<Socket>();
  let connections = 0;
  let killed = false;
  const server: Server = createServer((client) => {
    connections++;
    const first = connections === 1;
    const upstream = connectTcp(5672, '127.0.0.1');
    sockets.add(client).add(upstream);
    let forwarded = 0;
    client.on('data', (chunk: Buffer) => {
      forwarded += chunk.length;
      upstream.write(chunk);
      if (first && !killed && forwarded >= killAfterBytes) {
        killed = true;
        if (mute) return;
        client.destroy();
        upstream.destroy();
        if (refuseAfterKill) server.close();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!(mute && killed)) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    wasKilled: () => killed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.runIf(available)('tstat send to RabbitMQ', () => {
  let broker: ChannelModel;
  const queues: string[] = [];

  beforeAll(async () => {
    broker = await connect('amqp://guest:guest@127.0.0.1:5672');
    broker.on('error', () => undefined);
  });

  afterAll(async () => {
    const channel = await broker.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    await broker.close();
  });

  function newQueue(): string {
    const queue = newQueueName();
    queues.push(queue);
    return queue;
  }

  const writeConfig = writeRabbitConfig;
  const drain = (queue: string): Promise<ReceivedMessage[]> => drainQueue(broker, queue);

  /** Generates the tree twice: one copy to send, one to print the expected slices from. */
  async function treePair(
    root: string,
    tree: Parameters<typeof generateTstatTree>[0] extends infer T ? Omit<T, 'root'> : never,
  ) {
    const dirs = await generateTstatTree({ ...tree, root: join(root, 'tree') });
    await generateTstatTree({ ...tree, root: join(root, 'expected') });
    const { text } = await printTree(join(root, 'expected'), {
      thresholdMB: 0,
      sensorId: 's1',
      instanceId: 0,
    });
    // Each printed slice ends with a newline; the messages carry the slices without it.
    const slices = text
      .split('\n]\n')
      .filter((part) => part !== '')
      .map((part) => `${part}\n]`);
    return { dirs, slices };
  }

  const sendOptions = (directory: string, config: string, extra: object = {}) => ({
    directory,
    config,
    threshold: 0,
    transport: 'rabbit',
    sensor: 's1',
    quiet: true,
    ...extra,
  });

  it('publishes every slice once, confirmed, with the original properties and stable message ids', async () => {
    const temp = await tempDir();
    try {
      const queue = newQueue();
      const { dirs, slices } = await treePair(temp.path, {
        seed: 21,
        directories: 3,
        tcpRows: 70,
        udpRows: 70,
      });
      const config = await writeConfig(temp.path, queue);
      const { code, summary } = await runTstatSend(sendOptions(join(temp.path, 'tree'), config), 130);
      expect(code).toBe(0);
      const received = await drain(queue);
      expect(received.map((message) => message.body)).toEqual(slices);
      expect(summary.messages).toBe(slices.length);
      expect(summary.objects).toBe(3 * 140 * 2);
      for (const message of received) {
        expect(message.contentType).toBe('application/json');
        expect(message.deliveryMode).toBe(1);
      }
      // Slices per directory: 280 objects → 3 messages each; ids hash the directory and the slice index.
      expect(received.map((message) => message.messageId)).toEqual(
        dirs.flatMap((dir) => [0, 1, 2].map((index) => sliceMessageId(dir, index))),
      );
      for (const dir of dirs) expect(existsSync(join(dir, '.processed'))).toBe(true);
    } finally {
      await temp.cleanup();
    }
  });

  it.each([
    {
      memory: 'slice memory reused during the run (small blocks)',
      seed: 33,
      rows: 600,
      // ~2 slices per block: a block is reused as soon as the broker confirmed its slices.
      options: { sliceBlockBytes: 256 * 1024 },
    },
    {
      memory: 'rendered on worker threads (slices lent out of their memory)',
      seed: 34,
      rows: 900,
      // Chunks of several slices each: most slices are views of a worker's output.
      options: { workers: 2, workerMinBytes: 0, chunkBytes: 128 * 1024 },
    },
  ])('$memory: every message arrives intact, in order', async ({ seed, rows, options }) => {
    const temp = await tempDir();
    const queue = newQueue();
    const sink = new RabbitSink(localRabbitSettings(queue));
    try {
      const { slices } = await treePair(temp.path, { seed, directories: 2, tcpRows: rows, udpRows: rows });
      await sink.open();
      const summary = await sendTstatTree({
        directory: join(temp.path, 'tree'),
        sink,
        thresholdMB: 0,
        sensorId: 's1',
        instanceId: 0,
        log: SILENT_LOG,
        ...options,
      });
      expect(summary.messages).toBe(slices.length);
      expect((await drain(queue)).map((message) => message.body)).toEqual(slices);
    } finally {
      await sink.close();
      await temp.cleanup();
    }
  });

  it('--persistent publishes with delivery mode 2; a processed directory is not sent again', async () => {
    const temp = await tempDir();
    try {
      const queue = newQueue();
      await generateTstatTree({
        seed: 3,
        directories: 2,
        tcpRows: 5,
        udpRows: 5,
        processed: [0],
        root: temp.path,
      });
      const config = await writeConfig(temp.path, queue);
      const code = await tstatSend([
        'node',
        'tstat_send',
        '-d',
        temp.path,
        '-c',
        config,
        '-T',
        '0',
        '--persistent',
        '-q',
      ]);
      expect(code).toBe(0);
      const received = await drain(queue);
      expect(received).toHaveLength(1);
      expect(received[0]?.deliveryMode).toBe(2);
    } finally {
      await temp.cleanup();
    }
  });

  it('a connection killed mid-directory leaves it unmarked, exits non-zero; the next run resends it whole', async () => {
    const temp = await tempDir();
    const proxy = await startProxy(400_000, true);
    try {
      const queue = newQueue();
      const { dirs, slices } = await treePair(temp.path, {
        seed: 8,
        directories: 1,
        tcpRows: 1500,
        udpRows: 0,
      });
      expect(slices.length).toBe(30);
      const viaProxy = await writeConfig(temp.path, queue, {
        port: String(proxy.port),
        reconnect_attempts: '2',
      });
      const { code, stderr } = await captureStderr(() =>
        tstatSend(['node', 'tstat_send', '-d', join(temp.path, 'tree'), '-c', viaProxy, '-T', '0', '-q']),
      );
      expect(proxy.wasKilled()).toBe(true);
      expect(code).toBe(69);
      expect(stderr).toMatch(
        /^tstat_send: unable to connect to rabbit at amqp:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/m,
      );
      expect(existsSync(join(dirs[0]!, '.processed'))).toBe(false);
      const partial = await drain(queue);
      expect(partial.length).toBeLessThan(slices.length);

      const direct = await writeConfig(join(temp.path), queue);
      const again = await runTstatSend(sendOptions(join(temp.path, 'tree'), direct), 130);
      expect(again.code).toBe(0);
      const resent = await drain(queue);
      expect(resent.map((message) => message.body)).toEqual(slices);
      // The slices that got through the first time carry the same ids again: a receiver can drop them.
      expect(resent.slice(0, partial.length).map((message) => message.messageId)).toEqual(
        partial.map((message) => message.messageId),
      );
      expect(existsSync(join(dirs[0]!, '.processed'))).toBe(true);
    } finally {
      await proxy.close();
      await temp.cleanup();
    }
  });

  it('a dropped connection that comes back: reconnects with back-off and resends the directory in the same run', async () => {
    const temp = await tempDir();
    const proxy = await startProxy(400_000, false);
    try {
      const queue = newQueue();
      const { dirs, slices } = await treePair(temp.path, {
        seed: 8,
        directories: 1,
        tcpRows: 1500,
        udpRows: 0,
      });
      const config = await writeConfig(temp.path, queue, { port: String(proxy.port) });
      const { code, summary } = await runTstatSend(sendOptions(join(temp.path, 'tree'), config), 130);
      expect(proxy.wasKilled()).toBe(true);
      expect(code).toBe(0);
      expect(summary.resends).toBe(1);
      const received = await drain(queue);
      // Everything arrived; the duplicates of the first attempt are recognisable by their message ids.
      const unique = new Map(received.map((message) => [message.messageId, message.body]));
      expect([...unique.values()]).toEqual(slices);
      expect(received.length).toBeGreaterThan(slices.length);
      expect(existsSync(join(dirs[0]!, '.processed'))).toBe(true);
    } finally {
      await proxy.close();
      await temp.cleanup();
    }
  });

  it('a nack (queue full, reject-publish) fails the directory: not marked, non-zero exit', async () => {
    const temp = await tempDir();
    try {
      const queue = newQueue();
      const [dir] = await generateTstatTree({
        seed: 4,
        directories: 1,
        tcpRows: 300,
        udpRows: 0,
        root: temp.path,
      });
      const config = await writeConfig(
        temp.path,
        queue,
        {},
        '[rabbit_queue_options]\nx-max-length = 2\nx-overflow = reject-publish\n',
      );
      await expect(runTstatSend(sendOptions(temp.path, config), 130)).rejects.toThrow(
        'RabbitMQ refused (nacked) a message',
      );
      expect(existsSync(join(dir!, '.processed'))).toBe(false);
      expect(await drain(queue)).toHaveLength(2);
    } finally {
      await temp.cleanup();
    }
  });

  it('no confirm within confirm_timeout fails the directory: not marked, exit 75', async () => {
    const temp = await tempDir();
    const proxy = await startProxy(100_000, false, true);
    try {
      const [dir] = await generateTstatTree({
        seed: 4,
        directories: 1,
        tcpRows: 300,
        udpRows: 0,
        root: temp.path,
      });
      const config = await writeConfig(temp.path, newQueue(), {
        port: String(proxy.port),
        confirm_timeout: '1',
      });
      const { code, stderr } = await captureStderr(() =>
        tstatSend(['node', 'tstat_send', '-d', temp.path, '-c', config, '-T', '0', '-q']),
      );
      expect(proxy.wasKilled()).toBe(true);
      expect(code).toBe(75);
      expect(stderr).toMatch(
        /^tstat_send: RabbitMQ at amqp:\/\/127\.0\.0\.1:\d+\/ did not confirm \d+ message\(s\) within 1 s\n$/,
      );
      expect(existsSync(join(dir!, '.processed'))).toBe(false);
    } finally {
      await proxy.close();
      await temp.cleanup();
    }
  });

  it('a wrong password: one clear line, exit code 77, nothing marked', async () => {
    const temp = await tempDir();
    try {
      const [dir] = await generateTstatTree({
        seed: 4,
        directories: 1,
        tcpRows: 3,
        udpRows: 3,
        root: temp.path,
      });
      const config = await writeConfig(temp.path, newQueue(), { password: 'not-the-password' });
      const { code, stderr } = await captureStderr(() =>
        tstatSend(['node', 'tstat_send', '-d', temp.path, '-c', config, '-q']),
      );
      expect(code).toBe(77);
      expect([stderr]).toEqual([
        'tstat_send: RabbitMQ at amqp://127.0.0.1:5672/ refused the login of user "guest" (wrong username or password?)\n',
      ]);
      expect(existsSync(join(dir!, '.processed'))).toBe(false);
    } finally {
      await temp.cleanup();
    }
  });

  it('copies of one tree in two places get different ids; the same place gets the same ids', () => {
    expect(sliceMessageId('/a/x.out', 0)).toBe(sliceMessageId('/a/../a/x.out', 0));
    expect(sliceMessageId('/a/x.out', 0)).not.toBe(sliceMessageId('/a/x.out', 1));
    expect(sliceMessageId('/a/x.out', 0)).not.toBe(sliceMessageId('/b/x.out', 0));
  });
});
