import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStatusFile } from '../../src/sources/sniffer/read.js';
import { requestDump } from '../../src/sources/sniffer/dump-request.js';
import { runNetledger } from '../support/cli.js';
import { requireService } from '../support/services.js';

const haveTcpdump = spawnSync('tcpdump', ['--version']).status === 0;
const isRoot = process.getuid?.() === 0;
const directory = mkdtempSync(join(tmpdir(), 'netledger-live-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  socket.close();
  return port;
}

async function waitFor(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.runIf(requireService(haveTcpdump && isRoot, 'root and tcpdump (live capture on lo)'))(
  'live sensor on lo',
  () => {
    it('captures UDP sent by the test through tcpdump, dumps on request and on stop', async () => {
      const sinkPort = await freePort();
      const controlPort = await freePort();
      const log = join(directory, 'sensor.log');
      const common = ['--piddir', directory, '--sniffer', directory, '--name', 'live'];
      const started = await runNetledger([
        'sensor',
        'start',
        '--dev',
        'lo',
        '--bpf',
        `host 127.0.0.1 and udp port ${sinkPort}`,
        '--port',
        String(controlPort),
        '--dns',
        '127.0.0.1:9',
        '--log',
        log,
        ...common,
      ]);
      expect(started.stderr).toBe('');
      expect(started.stdout).toMatch(/^sensor started \(pid \d+\)\n$/);
      try {
        await waitFor(
          () => existsSync(log) && readFileSync(log, 'utf8').includes('capturing:'),
          'tcpdump to listen',
        );
        expect((await runNetledger(['sensor', 'status', ...common])).stdout).toMatch(
          /^sensor is running \(pid \d+\)/,
        );
        const sink = createSocket('udp4');
        await new Promise<void>((resolve) => sink.bind(sinkPort, '127.0.0.1', resolve));
        const sender = createSocket('udp4');
        await new Promise<void>((resolve) => sender.bind(0, '127.0.0.2', resolve));
        for (let i = 0; i < 7; i++) {
          await new Promise<void>((resolve) =>
            sender.send(Buffer.alloc(10, i), sinkPort, '127.0.0.1', () => resolve()),
          );
        }
        sender.close();
        sink.close();
        await new Promise((resolve) => setTimeout(resolve, 500));
        const statsFile = join(directory, 'live.stats');
        const result = await requestDump({
          host: '127.0.0.1',
          port: controlPort,
          statsFile,
          timeoutSeconds: 10,
        });
        expect(result.requested).toBe(true);
        expect(result.replyEpoch).toBeGreaterThan(1_700_000_000);
        const status = await readStatusFile(statsFile);
        // 7 datagrams of 10 bytes: 14 Ethernet + 20 IP + 8 UDP + 10 = 52 bytes each, all in the first interval.
        expect(status.entries.map(({ ip, bytes, count }) => ({ ip, bytes, count }))).toEqual([
          { ip: '127.0.0.2', bytes: 364, count: 7 },
        ]);
        expect(status.header).toContain(
          `# device:\tlo\tnon-promiscuous\n# bpf:\t\thost 127.0.0.1 and udp port ${sinkPort}\n`,
        );
      } finally {
        const stopped = await runNetledger(['sensor', 'stop', ...common]);
        expect(stopped.stdout).toMatch(/^sensor stopped \(pid \d+\)\n$/);
      }
      expect(existsSync(join(directory, 'live.pid'))).toBe(false);
    }, 120_000);
  },
);
