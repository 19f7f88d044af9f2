/**
 * The dump request against a small UDP responder standing in for the sensor: it rewrites the status file
 * (temp + rename, as the daemon does) and answers `OK <epoch>`, or `??` to anything but `dump`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHostPort, requestDump } from '../../src/sources/sniffer/dump-request.js';
import { netledger } from '../support/cli.js';

const example = new URL('./fixtures/formats-example.stats', import.meta.url).pathname;

interface Responder {
  socket: Socket;
  port: number;
  requests: string[];
}

async function startResponder(
  statsFile: string,
  reply: (text: string) => string | undefined,
): Promise<Responder> {
  const socket = createSocket('udp4');
  const requests: string[] = [];
  socket.on('message', (message, sender) => {
    const text = message.toString();
    requests.push(`${text} from ${sender.address}:${sender.port}`);
    const answer = reply(text);
    if (answer === undefined) return;
    if (text.startsWith('dump')) {
      writeFileSync(`${statsFile}.tmp`, readFileSync(example));
      renameSync(`${statsFile}.tmp`, statsFile);
    }
    socket.send(answer, sender.port, sender.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port, requests };
}

let dir: string;
let responder: Responder | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nl-dump-'));
});
afterEach(() => {
  responder?.socket.close();
  responder = undefined;
});

describe('parseHostPort', () => {
  it('reads port, host:port, ip:port and [v6]:port', () => {
    expect(parseHostPort('10004')).toEqual({ host: '127.0.0.1', port: 10004 });
    expect(parseHostPort('sensor.example:10004')).toEqual({ host: 'sensor.example', port: 10004 });
    expect(parseHostPort('[::1]:10004')).toEqual({ host: '::1', port: 10004 });
    expect(() => parseHostPort('host:99999')).toThrow("invalid update specification 'host:99999'");
  });
});

describe('requestDump', () => {
  it('sends dump from a dynamic port, waits for the new file, and reads OK <epoch>', async () => {
    const stats = join(dir, 'nc.sniffer.stats');
    responder = await startResponder(stats, () => 'OK 1145926812');
    const result = await requestDump({
      host: '127.0.0.1',
      port: responder.port,
      statsFile: stats,
      timeoutSeconds: 5,
    });
    expect(result).toEqual({ requested: true, replyEpoch: 1145926812 });
    expect(responder.requests).toHaveLength(1);
    const port = Number(/:(\d+)$/.exec(responder.requests[0]!)![1]);
    expect(port).toBeGreaterThanOrEqual(49152);
    expect(readFileSync(stats).equals(readFileSync(example))).toBe(true);
  });
  it('does not ask when the file is younger than --age', async () => {
    const stats = join(dir, 'fresh.stats');
    copyFileSync(example, stats);
    responder = await startResponder(stats, () => 'OK 1');
    expect(
      await requestDump({ host: '127.0.0.1', port: responder.port, statsFile: stats, maxAgeSeconds: 300 }),
    ).toEqual({ requested: false });
    expect(responder.requests).toEqual([]);
  });
  it('fails clearly when the sensor answers ??', async () => {
    const stats = join(dir, 'refused.stats');
    responder = await startResponder(stats, () => '??');
    // Only a `dump` rewrites the file; here the responder refuses everything without touching it.
    responder.socket.removeAllListeners('message');
    responder.socket.on('message', (_m, sender) => responder!.socket.send('??', sender.port, sender.address));
    await expect(
      requestDump({ host: '127.0.0.1', port: responder.port, statsFile: stats, timeoutSeconds: 2 }),
    ).rejects.toThrow(`the sensor at 127.0.0.1:${responder.port} did not accept the request (replied '??')`);
  });
  it('times out with the file and target named when nobody answers', async () => {
    const stats = join(dir, 'silent.stats');
    responder = await startResponder(stats, () => undefined);
    await expect(
      requestDump({ host: '127.0.0.1', port: responder.port, statsFile: stats, timeoutSeconds: 1 }),
    ).rejects.toMatchObject({
      code: 'NL_ERR_TIMEOUT',
      message: `'${stats}' was not updated within 1 s of the dump request to 127.0.0.1:${responder.port} (no reply)`,
    });
  });
  it('works from the command line', async () => {
    const stats = join(dir, 'cli.stats');
    responder = await startResponder(stats, () => 'OK 42');
    const result = await netledger([
      'sniffer',
      'dump',
      `127.0.0.1:${responder.port}`,
      '--stats',
      stats,
      '--timeout',
      '5',
    ]);
    expect(result.stderr).toBe('dump written at 42\n');
    expect(result.code).toBe(0);
  });
});
