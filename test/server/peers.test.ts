/**
 * The composite over many hosts: two servers in one test (a peer up, a peer down), a peer that never
 * answers (bounded by the timeout), and a copy command template (`cp`) in place of ssh+rsync.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeStatuses } from '../../src/aggregate/sniffer-merge.js';
import { buildSnifferReport, renderSnifferText } from '../../src/report/sniffer.js';
import { parseStatus } from '../../src/sources/sniffer/read.js';
import { formatCompositeHeader } from '../../src/sources/sniffer/write.js';
import { commandArguments } from '../../src/server/peers.js';
import { fixture, serve, tempDir, type Running } from './harness.js';

const status = (name: string) => parseStatus(readFileSync(fixture(name)), name);

function expectedText(names: string[]): string {
  const merged = mergeStatuses(names.map(status));
  const report = buildSnifferReport(
    { header: formatCompositeHeader(merged), entries: merged.entries },
    'cidr24',
  );
  return renderSnifferText(report, { utc: true });
}

let dir: string;
let remove: () => Promise<void>;
let peerUp: Running;
let silent: Server;
let silentUrl: string;
let downUrl: string;

beforeAll(async () => {
  const temp = await tempDir('nl-peers-');
  dir = temp.dir;
  remove = temp.remove;
  peerUp = await serve({ stats: [fixture('seed2-300.stats')], cacheDir: join(dir, 'up'), token: 'tok-up' });
  const gone = await serve({ cacheDir: join(dir, 'gone') });
  downUrl = gone.url;
  await gone.app.close();
  // Accepts connections and never answers.
  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(async () => {
  await peerUp.app.close();
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
  await remove();
});

describe('composite over peers', () => {
  it('merges the peers that answer, marks the others, within the timeout', async () => {
    const composite = await serve({
      stats: [fixture('seed1-40.stats')],
      cacheDir: join(dir, 'composite'),
      refreshSeconds: 0,
      peerTimeoutSeconds: 1,
      peers: [
        { kind: 'http', url: peerUp.url, token: 'tok-up' },
        { kind: 'http', url: downUrl, token: 'tok-up' },
        { kind: 'http', url: silentUrl },
        { kind: 'command', template: `cp ${fixture('formats-example.stats')} {dest}` },
      ],
    });
    try {
      const started = Date.now();
      const json = await composite.get('/api/sniffer/report?by=cidr24');
      expect(Date.now() - started).toBeLessThan(2500);
      expect(json.status).toBe(200);
      expect(json.body.peers).toEqual([
        { peer: peerUp.url, state: 'fresh', ageSeconds: 0 },
        { peer: downUrl, state: 'missing', error: 'ECONNREFUSED' },
        { peer: silentUrl, state: 'missing', error: 'no answer within 1 s' },
        { peer: `cp ${fixture('formats-example.stats')} {dest}`, state: 'fresh', ageSeconds: 0 },
      ]);
      const names = ['seed1-40.stats', 'seed2-300.stats', 'formats-example.stats'];
      expect((await composite.get('/api/sniffer/report?by=cidr24&format=text')).text).toBe(
        expectedText(names),
      );

      // The peer goes down: its last good copy is used and marked stale with its age.
      await peerUp.app.close();
      const later = await composite.get('/api/sniffer/report?by=cidr24');
      expect(later.body.peers[0]).toMatchObject({ peer: peerUp.url, state: 'stale', error: 'ECONNREFUSED' });
      expect(later.body.peers[0].ageSeconds).toBeGreaterThanOrEqual(0);
      expect(later.body.totals).toEqual(json.body.totals);
    } finally {
      await composite.app.close();
    }
  });

  it('a wrong peer token is reported, not fatal', async () => {
    const peer = await serve({
      stats: [fixture('seed2-300.stats')],
      cacheDir: join(dir, 'p2'),
      token: 'right',
    });
    const composite = await serve({
      stats: [fixture('seed1-40.stats')],
      cacheDir: join(dir, 'c2'),
      peers: [{ kind: 'http', url: peer.url, token: 'wrong' }],
    });
    try {
      const reply = await composite.get('/api/sniffer/report?by=domain');
      expect(reply.body.peers).toEqual([
        { peer: peer.url, state: 'missing', error: 'HTTP 401 Unauthorized' },
      ]);
      expect((await composite.get('/api/sniffer/report?by=domain&format=text')).text).toBe(
        readFileSync(new URL('../sniffer/golden/seed1-40.1.txt', import.meta.url), 'latin1'),
      );
    } finally {
      await composite.app.close();
      await peer.app.close();
    }
  });

  it('command templates are split into arguments, never given to a shell', () => {
    expect(
      commandArguments('rsync -a host:/var/run/nc.sniffer/nc.sniffer.stats {dest}', '/c/p.stats'),
    ).toEqual(['rsync', '-a', 'host:/var/run/nc.sniffer/nc.sniffer.stats', '/c/p.stats']);
    expect(() => commandArguments('cp a b', '/x')).toThrow("peer command template without {dest}: 'cp a b'");
  });
});
