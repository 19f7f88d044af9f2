/**
 * POST /api/sniffer/dump against a UDP stand-in sensor: only an admin may ask; the new status file is
 * waited for and the cached reports are dropped, so the next view shows it although the cache was fresh.
 */
import { createSocket, type Socket } from 'node:dgram';
import { copyFileSync, renameSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userLine } from '../../src/server/auth.js';
import { fixture, serve, tempDir, type Running } from './harness.js';

let sensor: Socket;
let server: Running;
let remove: () => Promise<void>;
let dumps = 0;

beforeAll(async () => {
  const temp = await tempDir('nl-dump-');
  remove = temp.remove;
  const stats = join(temp.dir, 'nc.sniffer.stats');
  copyFileSync(fixture('seed1-40.stats'), stats);
  sensor = createSocket('udp4');
  sensor.on('message', (_message, sender) => {
    dumps++;
    copyFileSync(fixture('seed2-300.stats'), `${stats}.tmp`);
    renameSync(`${stats}.tmp`, stats);
    sensor.send('OK 1234', sender.port, sender.address);
  });
  await new Promise<void>((resolve) => sensor.bind(0, '127.0.0.1', resolve));
  const users = join(temp.dir, 'users');
  await writeFile(
    users,
    `${await userLine('root', 'admin', 'root-secret')}\n${await userLine('eve', 'read', 'eve-secret')}\n`,
  );
  server = await serve({
    stats: [stats],
    cacheDir: join(temp.dir, 'cache'),
    usersFile: users,
    snifferUpdate: { host: '127.0.0.1', port: sensor.address().port },
  });
});
afterAll(async () => {
  sensor.close();
  await server.app.close();
  await remove();
});

const cookieOf = async (user: string, password: string) =>
  (await server.post('/api/login', { user, password })).headers.get('set-cookie')!.split(';')[0]!;

describe('POST /api/sniffer/dump', () => {
  it('asks the sensor, then the report shows the new status', async () => {
    const admin = await cookieOf('root', 'root-secret');
    const reader = await cookieOf('eve', 'eve-secret');
    expect((await server.get('/api/sniffer/report', { cookie: reader })).body.totals.users).toBe(41);
    expect((await server.post('/api/sniffer/dump', {}, { cookie: reader })).status).toBe(403);
    expect(dumps).toBe(0);
    const reply = await server.post('/api/sniffer/dump', {}, { cookie: admin });
    expect(reply).toMatchObject({ status: 200, body: { requested: true, replyEpoch: 1234 } });
    expect(dumps).toBe(1);
    expect((await server.get('/api/sniffer/report', { cookie: reader })).body.totals.users).toBe(301);
  });
});
