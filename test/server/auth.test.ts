/**
 * Access control over real HTTP: nothing answers without a session or token when auth is configured,
 * roles (read vs admin), login/logout with an HttpOnly cookie, failed logins limited per client.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUsers, userLine, verifyPassword } from '../../src/server/auth.js';
import { netledger } from '../support/cli.js';
import { generateRecords } from '../ledger/generate.js';
import { FWCTL_EXAMPLE } from '../support/fwctl-example.js';
import { fixture, makeLedger, serve, tempDir, type Running } from './harness.js';

const TOKEN = 'peer-token-0123456789';
let server: Running;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir('nl-auth-');
  dir = temp.dir;
  remove = temp.remove;
  const users = join(dir, 'users');
  await writeFile(join(dir, 'fwctl_acct'), FWCTL_EXAMPLE);
  await writeFile(
    users,
    `# netledger users\n${await userLine('alice', 'admin', 'alice-secret')}\n\n${await userLine('bob', 'read', 'bob-secret')}\n`,
  );
  server = await serve({
    ledger: await makeLedger(dir, generateRecords(50, 3)),
    stats: [fixture('seed1-40.stats')],
    cacheDir: join(dir, 'cache'),
    token: TOKEN,
    usersFile: users,
    assetsDir: join(dir, 'no-assets'),
    fwctl: [join(dir, 'fwctl_acct')],
  });
});
afterAll(async () => {
  await server.app.close();
  await remove();
});

const DATA_ROUTES = [
  '/api/top?by=host',
  '/api/series?by=host&bin=1h',
  '/api/sources',
  '/api/sniffer/report?by=cidr24',
  '/api/sniffer/report?by=domain&format=text',
  '/api/sniffer/status',
  '/api/sensor/status',
  '/api/fwctl/summary',
  '/api/fwctl/samples?sample=1h',
  '/api/session',
];

async function login(user: string, password: string) {
  const reply = await server.post('/api/login', { user, password });
  const cookie = reply.headers.get('set-cookie') ?? '';
  return { reply, cookie: cookie.split(';')[0]!, raw: cookie };
}

describe('without credentials', () => {
  it('no data route answers', async () => {
    for (const route of DATA_ROUTES) {
      const reply = await server.get(route);
      expect({ route, status: reply.status, body: reply.body }).toEqual({
        route,
        status: 401,
        body: { error: { code: 'NL_ERR_AUTH', message: 'log in first' } },
      });
    }
    expect((await server.post('/api/ingest', { path: '/etc/passwd' })).status).toBe(401);
    expect((await server.post('/api/sniffer/dump', {})).status).toBe(401);
  });

  it('pages redirect to the login page', async () => {
    const reply = await server.get('/');
    expect(reply.status).toBe(302);
    expect(reply.headers.get('location')).toBe('/login');
    expect((await server.get('/sniffer')).status).toBe(302);
  });

  it('a wrong token is refused', async () => {
    const reply = await server.get('/api/top?by=host', { authorization: 'Bearer nope' });
    expect(reply).toMatchObject({ status: 401, body: { error: { message: 'invalid bearer token' } } });
  });
});

describe('token and sessions', () => {
  it('the token reads every data route', async () => {
    for (const route of DATA_ROUTES) {
      const reply = await server.get(route, { authorization: `Bearer ${TOKEN}` });
      expect({ route, status: reply.status }).toEqual({ route, status: 200 });
    }
  });

  it('a read user logs in with an HttpOnly cookie, may not ingest, logs out', async () => {
    const { reply, cookie, raw } = await login('bob', 'bob-secret');
    expect(reply.body).toEqual({ user: 'bob', role: 'read' });
    expect(raw).toMatch(/^nl_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect((await server.get('/api/top?by=host', { cookie })).status).toBe(200);
    expect((await server.get('/api/session', { cookie })).body).toEqual({
      user: 'bob',
      role: 'read',
      auth: true,
    });
    expect(await server.post('/api/ingest', { path: '/nonexistent' }, { cookie })).toMatchObject({
      status: 403,
      body: { error: { code: 'NL_ERR_FORBIDDEN', message: "user 'bob' has the read role; admin needed" } },
    });
    const out = await server.post('/api/logout', {}, { cookie });
    expect(out.headers.get('set-cookie')).toMatch(/^nl_session=; .*Max-Age=0$/);
    expect((await server.get('/api/top?by=host', { cookie })).status).toBe(401);
  });

  it('an admin may ingest', async () => {
    const { cookie } = await login('alice', 'alice-secret');
    const flows = join(dir, 'more.ndjson');
    await writeFile(
      flows,
      generateRecords(7, 11)
        .map((r) => JSON.stringify(r) + '\n')
        .join(''),
    );
    const reply = await server.post('/api/ingest', { path: flows }, { cookie });
    expect(reply).toMatchObject({ status: 200, body: { status: 'ingested', records: 7, format: 'ndjson' } });
    const again = await server.post('/api/ingest', { path: flows }, { cookie });
    expect(again.body).toMatchObject({ status: 'unchanged', records: 0 });
    const missing = await server.post('/api/ingest', { path: join(dir, 'absent') }, { cookie });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NL_ERR_NO_INPUT' } } });
    expect((await server.get('/api/sources', { cookie })).body.rows).toHaveLength(2);
  });

  it('a wrong password is refused without a cookie', async () => {
    const { reply, raw } = await login('alice', 'wrong');
    expect(reply).toMatchObject({ status: 401, body: { error: { message: 'wrong user name or password' } } });
    expect(raw).toBe('');
  });
});

describe('failed logins are limited per client', () => {
  it('answers 429 after the limit, even to the right password', async () => {
    const temp = await tempDir('nl-rate-');
    const users = join(temp.dir, 'users');
    await writeFile(users, `${await userLine('carol', 'read', 'carol-secret')}\n`);
    const limited = await serve({ cacheDir: join(temp.dir, 'cache'), usersFile: users, maxFailures: 3 });
    try {
      for (let i = 0; i < 3; i++)
        expect((await limited.post('/api/login', { user: 'carol', password: `guess${i}` })).status).toBe(401);
      const blocked = await limited.post('/api/login', { user: 'carol', password: 'carol-secret' });
      expect(blocked.status).toBe(429);
      expect(blocked.body.error.message).toMatch(
        /^too many failed logins from 127\.0\.0\.1; try again in \d+ s$/,
      );
    } finally {
      await limited.app.close();
      await temp.remove();
    }
  });
});

describe('users file and hash-password', () => {
  it('hashes with scrypt and verifies', async () => {
    const line = await userLine('dave', 'admin', 'dave-secret');
    expect(line).toMatch(/^dave:admin:scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    const entry = parseUsers(line, 'users').get('dave')!;
    expect(await verifyPassword('dave-secret', entry.hash)).toBe(true);
    expect(await verifyPassword('dave-secreT', entry.hash)).toBe(false);
  });

  it('names the line of a bad users file', () => {
    expect(() => parseUsers('# ok\nerin:root:scrypt$1$1$1$AA$AA\n', 'users')).toThrow(
      "unknown role 'root': expected read or admin",
    );
    expect(() => parseUsers('# ok\n\nfrank\n', '/etc/nl-users')).toThrow(
      expect.objectContaining({ position: { file: '/etc/nl-users', line: 3 } }),
    );
  });

  it('netledger hash-password prints a users-file line', async () => {
    const result = await netledger(['hash-password', 'gina', '--role', 'admin'], { input: 'gina-secret\n' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const line = result.stdout.toString().trimEnd();
    expect(await verifyPassword('gina-secret', parseUsers(line, 'x').get('gina')!.hash)).toBe(true);
    const short = await netledger(['hash-password', 'gina'], { input: 'short\n' });
    expect(short).toMatchObject({
      code: 64,
      stderr: 'netledger: password on stdin is shorter than 8 characters\n',
    });
  });
});
