/** tstat send over HTTP: POST per slice, bearer token, message id header, retries on 5xx, 4xx fails. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTstatSend } from '../../src/cli/tstat/run.js';
import { SILENT_LOG } from '../../src/transport/tstat-log.js';
import { sendTstatTree, sliceMessageId } from '../../src/transport/tstat-send.js';
import { HttpSink } from '../../src/sinks/http.js';
import { generateTstatTree } from './generate.js';
import { printTree, tempDir } from './helpers.js';

async function startServer(statuses: number[]) {
  const requests: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = statuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tstat`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('tstat send --transport http', () => {
  it('POSTs every slice with the token and message id; retries a 503', async () => {
    const temp = await tempDir();
    const server = await startServer([503]);
    try {
      const tree = join(temp.path, 'tree');
      const [dir] = await generateTstatTree({ seed: 9, directories: 1, tcpRows: 60, udpRows: 0, root: tree });
      await generateTstatTree({
        seed: 9,
        directories: 1,
        tcpRows: 60,
        udpRows: 0,
        root: join(temp.path, 'copy'),
      });
      const expected = (await printTree(join(temp.path, 'copy'), { thresholdMB: 0, sensorId: 's' })).text;
      const config = join(temp.path, 'config.ini');
      await writeFile(config, `[http]\nurl = ${server.url}\ntoken = sekrit\nretry_delay_ms = 10\n`);
      const { code } = await runTstatSend(
        { directory: tree, config, threshold: 0, transport: 'http', sensor: 's', quiet: true },
        130,
      );
      expect(code).toBe(0);
      expect(server.requests).toHaveLength(3); // slice 0 twice (503, then 200), slice 1
      expect(server.requests[0]?.body).toBe(server.requests[1]?.body);
      const bodies = server.requests.slice(1).map((request) => `${request.body}\n`);
      expect(bodies.join('')).toBe(expected);
      expect(server.requests[2]?.headers).toMatchObject({
        authorization: 'Bearer sekrit',
        'content-type': 'application/json',
        'idempotency-key': sliceMessageId(dir!, 1),
      });
      expect(existsSync(join(dir!, '.processed'))).toBe(true);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('a 400 fails the directory at once: not marked', async () => {
    const temp = await tempDir();
    const server = await startServer([400]);
    try {
      const [dir] = await generateTstatTree({
        seed: 9,
        directories: 1,
        tcpRows: 5,
        udpRows: 0,
        root: temp.path,
      });
      const config = join(temp.path, 'config.ini');
      await writeFile(config, `[http]\nurl = ${server.url}\n`);
      await expect(
        runTstatSend({ directory: temp.path, config, threshold: 0, transport: 'http', quiet: true }, 130),
      ).rejects.toThrow(`POST ${server.url} answered 400 Bad Request`);
      expect(server.requests).toHaveLength(1);
      expect(existsSync(join(dir!, '.processed'))).toBe(false);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });

  it('on worker threads: slices lent out of the workers’ memory arrive intact, a retried one too', async () => {
    const temp = await tempDir();
    const server = await startServer([503]);
    try {
      const tree = { seed: 10, directories: 2, tcpRows: 900, udpRows: 900 };
      const dirs = await generateTstatTree({ ...tree, root: join(temp.path, 'tree') });
      await generateTstatTree({ ...tree, root: join(temp.path, 'copy') });
      const expected = (await printTree(join(temp.path, 'copy'), { thresholdMB: 0, sensorId: 's' })).text;
      const summary = await sendTstatTree({
        directory: join(temp.path, 'tree'),
        sink: new HttpSink({ url: server.url, retries: 2, retryDelayMs: 10, timeoutMs: 10_000 }),
        thresholdMB: 0,
        sensorId: 's',
        instanceId: 0,
        log: SILENT_LOG,
        workers: 2,
        workerMinBytes: 0,
        // Chunks of several slices each: most slices are views of a worker's output.
        chunkBytes: 128 * 1024,
      });
      expect(server.requests[0]?.body).toBe(server.requests[1]?.body); // the 503, then the retry
      const bodies = server.requests.slice(1).map((request) => `${request.body}\n`);
      expect(bodies.join('')).toBe(expected);
      expect(summary.messages).toBe(server.requests.length - 1);
      for (const dir of dirs) expect(existsSync(join(dir, '.processed'))).toBe(true);
    } finally {
      await server.close();
      await temp.cleanup();
    }
  });
});
