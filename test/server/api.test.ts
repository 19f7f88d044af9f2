/**
 * The JSON API over real HTTP on 127.0.0.1: top and series equal the reference computed straight from the
 * records, errors are JSON with the catalogue's status, the Sniffer report equals the original's text.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGroupBy } from '../../src/aggregate/keys.js';
import { seriesOfRecords, totalsOfRecords } from '../../src/aggregate/totals.js';
import { toJson } from '../../src/report/tabular.js';
import { generateRecords } from '../ledger/generate.js';
import { FWCTL_EXAMPLE } from '../support/fwctl-example.js';
import { fixture, makeLedger, serve, tempDir, type Running } from './harness.js';

const records = generateRecords(300, 9);
const golden = (name: string) =>
  readFileSync(new URL(`../sniffer/golden/${name}`, import.meta.url), 'latin1');
const plain = (value: unknown) => JSON.parse(toJson(value)) as unknown;

let server: Running;
let remove: () => Promise<void>;
beforeAll(async () => {
  const temp = await tempDir('nl-api-');
  remove = temp.remove;
  await writeFile(`${temp.dir}/fwctl_acct`, FWCTL_EXAMPLE);
  // This test process stands in for a running sensor.
  await writeFile(`${temp.dir}/sensor.pid`, `${process.pid}\n`);
  server = await serve({
    sensorPidFile: `${temp.dir}/sensor.pid`,
    fwctl: [`${temp.dir}/fwctl_acct`],
    ledger: await makeLedger(temp.dir, records),
    stats: [fixture('seed1-40.stats')],
    cacheDir: `${temp.dir}/cache`,
  });
});
afterAll(async () => {
  await server.app.close();
  await remove();
});

describe('sensor status', () => {
  it('/api/sensor/status reports the live pid and the status file header', async () => {
    const reply = await server.get('/api/sensor/status');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      running: true,
      pid: process.pid,
      statsFile: fixture('seed1-40.stats'),
      start: 1145923212,
      current: 1145926812,
      hitsPerMinute: 76,
      bytesPerSecond: 872,
      users: 41,
      device: 'eth0',
    });
  });
});

describe('ledger routes', () => {
  it('/api/top equals the totals of the records', async () => {
    const reply = await server.get('/api/top?by=host&limit=5');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const expected = totalsOfRecords(records, parseGroupBy('host')).slice(0, 5);
    expect(reply.body).toEqual({ by: 'host', since: null, until: null, rows: plain(expected) });
  });

  it('/api/top by cidr24 within a window', async () => {
    const since = records[0]!.start;
    const reply = await server.get(
      `/api/top?by=cidr24&since=${Math.ceil(since)}&until=${Math.ceil(since) + 3600}`,
    );
    const inWindow = records.filter((r) => r.start >= Math.ceil(since) && r.start < Math.ceil(since) + 3600);
    expect(reply.body.rows).toEqual(plain(totalsOfRecords(inWindow, parseGroupBy('cidr24'))));
  });

  it('/api/series equals the apportioned series; key= picks one key', async () => {
    const reply = await server.get('/api/series?by=port&bin=5m');
    expect(reply.status).toBe(200);
    const expected = seriesOfRecords(records, parseGroupBy('port'), { origin: 0, width: 300 });
    expect(reply.body.binSeconds).toBe(300);
    expect(reply.body.rows.map((row: { time: string; binStart: number }) => row.time)[0]).toBe(
      new Date(expected[0]!.binStart * 1000).toISOString().replace('.000Z', 'Z'),
    );
    expect(reply.body.rows.map(({ time: _t, ...rest }: { time: string }) => rest)).toEqual(plain(expected));
    const one = await server.get('/api/series?by=port&bin=5m&key=443');
    expect(one.body.rows.map(({ time: _t, ...rest }: { time: string }) => rest)).toEqual(
      plain(expected.filter((point) => point.key === '443')),
    );
    const total = one.body.rows.reduce((sum: number, row: { bytes: number }) => sum + row.bytes, 0);
    const direct = records.reduce(
      (sum, r) => sum + (r.sport === 443 ? 1 : 0) * Number(r.bytes) + (r.dport === 443 ? Number(r.bytes) : 0),
      0,
    );
    expect(total).toBe(direct);
  });

  it('/api/series limit keeps the keys top ranks first', async () => {
    const top = await server.get('/api/top?by=host&limit=3');
    const series = await server.get('/api/series?by=host&bin=1h&limit=3');
    const keys = new Set(series.body.rows.map((row: { key: string }) => row.key));
    expect(keys).toEqual(new Set(top.body.rows.map((row: { key: string }) => row.key)));
  });

  it('/api/series bin=auto picks a bin from the ledger extent', async () => {
    // The generated records span a little over 3 hours: 5-minute bins keep it under 120 bins.
    expect((await server.get('/api/series?by=proto&bin=auto')).body.binSeconds).toBe(300);
    expect(
      (await server.get('/api/series?by=proto&bin=auto&since=1795000000&until=1795003600')).body.binSeconds,
    ).toBe(60);
  });

  it('/api/sources lists the ingest', async () => {
    const reply = await server.get('/api/sources');
    expect(reply.body.rows).toHaveLength(1);
    expect(reply.body.rows[0]).toMatchObject({ format: 'ndjson', records: 300, fromOffset: 0 });
  });

  it('errors are JSON with the catalogue status', async () => {
    expect(await server.get('/api/top')).toMatchObject({
      status: 400,
      body: { error: { code: 'NL_ERR_USAGE', message: "missing parameter 'by'" } },
    });
    expect((await server.get('/api/top?by=colour')).body.error.message).toMatch(/^invalid --by 'colour'/);
    expect(await server.get('/api/series?by=host&bin=1.5s')).toMatchObject({
      status: 400,
      body: { error: { code: 'NL_ERR_USAGE', message: "invalid bin '1.5s': whole seconds only" } },
    });
    expect(await server.get('/api/top?by=host&limit=0')).toMatchObject({ status: 400 });
    expect(await server.get('/api/nothing')).toMatchObject({
      status: 404,
      body: { error: { code: 'NL_ERR_NOT_FOUND', message: 'no route GET /api/nothing' } },
    });
    expect(await server.get('/api/top?by=host&since=2026-11-20&until=2026-11-19')).toMatchObject({
      status: 400,
      body: { error: { message: 'until (2026-11-19) is not after since (2026-11-20)' } },
    });
  });
});

describe('Sniffer routes', () => {
  it('the text report equals the original', async () => {
    for (const [by, type] of [
      ['cidr24', 0],
      ['domain', 1],
    ] as const) {
      const reply = await server.get(`/api/sniffer/report?by=${by}&format=text`);
      expect(reply.status).toBe(200);
      expect(reply.text).toBe(golden(`seed1-40.${type}.txt`));
    }
  });

  it('the JSON report has the same groups, and no peers', async () => {
    const reply = await server.get('/api/sniffer/report?by=cidr24');
    expect(reply.body.grouping).toBe('cidr24');
    expect(reply.body.peers).toEqual([]);
    const users = /users\t\t= (\d+)/.exec(golden('seed1-40.0.txt'))![1];
    expect(reply.body.totals.users).toBe(Number(users));
    expect(reply.body.groups.length).toBeGreaterThan(1);
  });

  it('sends the stored gzip copy to clients that accept gzip', async () => {
    const packed = await server.get('/api/sniffer/report?by=cidr24&format=text');
    expect(packed.headers.get('content-encoding')).toBe('gzip');
    expect(packed.headers.get('vary')).toBe('accept-encoding');
    const plain = await server.get('/api/sniffer/report?by=cidr24&format=text', {
      'accept-encoding': 'identity',
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.text).toBe(packed.text);
    expect(plain.text).toBe(golden('seed1-40.0.txt'));
  });

  it('serves this host’s status file for peers, byte for byte', async () => {
    const reply = await server.get('/api/sniffer/status');
    expect(Buffer.from(reply.text, 'latin1')).toEqual(readFileSync(fixture('seed1-40.stats')));
  });

  it('rejects an unknown grouping', async () => {
    expect(await server.get('/api/sniffer/report?by=asn')).toMatchObject({
      status: 400,
      body: { error: { message: "invalid by 'asn': expected cidr24 or domain" } },
    });
  });
});

describe('fwctl routes', () => {
  it('/api/fwctl/summary and /samples give the JSON of netledger fwctl', async () => {
    const summary = await server.get('/api/fwctl/summary?sample=1h');
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ report: 'summary', start: 954583200, end: 954592200, sample: 3600 });
    expect(
      summary.body.rows.map((row: { name: string; packets_sum: number; bytes_sum: number }) => [
        row.name,
        row.packets_sum,
        row.bytes_sum,
      ]),
    ).toEqual([
      ['mail', 50, 65000],
      ['web', 2100, 1680000],
    ]);
    const samples = await server.get('/api/fwctl/samples?sample=1h&name=mail');
    expect(samples.body.rows).toEqual([
      { name: 'mail', start: 954583200, packets: 40, bytes: 52000 },
      { name: 'mail', start: 954586800, packets: 6, bytes: 8666 },
      { name: 'mail', start: 954590400, packets: 4, bytes: 4334 },
    ]);
  });

  it('rejects a bad window, and answers 404 without --fwctl', async () => {
    expect(await server.get('/api/fwctl/summary?start=954592200&end=954583200')).toMatchObject({
      status: 400,
      body: { error: { message: 'the report must end after it starts (check start, end and period)' } },
    });
    const temp = await tempDir('nl-nofw-');
    const bare = await serve({ cacheDir: temp.dir });
    try {
      expect(await bare.get('/api/fwctl/samples')).toMatchObject({
        status: 404,
        body: {
          error: { code: 'NL_ERR_NOT_FOUND', message: 'this server has no fwctl accounting file (--fwctl)' },
        },
      });
      expect(await bare.get('/api/top?by=host')).toMatchObject({
        status: 404,
        body: { error: { message: 'this server has no ledger (--ledger)' } },
      });
    } finally {
      await bare.app.close();
      await temp.remove();
    }
  });
});
