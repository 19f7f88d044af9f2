/**
 * The ledger takes every source format through the same ingest path: sniffed from content, idempotent.
 */
import { appendFileSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGroupBy } from '../../src/aggregate/keys.js';
import { ingestFile } from '../../src/ledger/ingest.js';
import { ParseError } from '../../src/model/errors.js';
import { openLedger } from '../../src/ledger/open.js';
import type { Ledger } from '../../src/ledger/types.js';
import { twoPacketUdp } from '../argus/fixtures.js';
import { buildEthernetFrame, buildPcap, pcapRecord } from '../gen/packets.js';

const sniffer = new URL('../sniffer/fixtures/formats-example.stats', import.meta.url).pathname;

let dir: string;
let ledger: Ledger;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nl-formats-'));
  ledger = await openLedger(join(dir, 'ledger.duckdb'));
});
afterEach(async () => {
  await ledger.close();
});

describe('ingest of a Sniffer status file', () => {
  it('is recognised by content and counts each IP once, however often it is ingested', async () => {
    const path = join(dir, 'status'); // no telling extension: the content decides
    copyFileSync(sniffer, path);
    const first = await ingestFile(ledger, path);
    expect([first.format, first.status, first.records]).toEqual(['sniffer', 'ingested', 3]);
    expect((await ingestFile(ledger, path)).status).toBe('unchanged');
    const top = await ledger.top({ by: parseGroupBy('host') });
    expect(top.map((row) => [row.key, row.bytes, row.packets])).toEqual([
      ['198.51.100.7', 240n, 4n],
      ['203.0.113.5', 70n, 1n],
      ['198.51.100.9', 0n, 1n],
    ]);
    // Reverse-DNS names group by registrable domain; the NXDOMAIN marker ':ns.example.net' has none.
    const domains = await ledger.top({ by: parseGroupBy('domain') });
    expect(domains.map((row) => [row.key, row.bytes])).toEqual([['example.com', 240n]]);
  });
});

describe('ingest of a Sniffer status file with a fractional count', () => {
  it('is refused at its line: a record counts whole bytes', async () => {
    const path = join(dir, 'fractional.stats');
    writeFileSync(path, readFileSync(sniffer, 'latin1').replace('B\t=> 240,', 'B\t=> 240.5,'), 'latin1');
    const error = await ingestFile(ledger, path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).describe()).toBe(
      `B of '198.51.100.7' must be a whole number of bytes, found 240.5 (${path}:13:8)`,
    );
    expect(await ledger.sources()).toEqual([]);
  });
});

describe('ingest of fwctl dump-acct files', () => {
  it('adds only the new dumps of a grown file', async () => {
    const path = join(dir, 'fwctl_acct');
    writeFileSync(path, '954583200 acct0000 0 0 web\n954586800 acct0000 1200 960000 web\n');
    expect(await ingestFile(ledger, path)).toMatchObject({ format: 'fwctl', status: 'ingested', records: 2 });
    appendFileSync(path, '954590400 acct0000 600 480000 web\n954590400 acct0001 40 52000 mail\n');
    expect(await ingestFile(ledger, path)).toMatchObject({ format: 'fwctl', status: 'ingested', records: 2 });
    expect((await ingestFile(ledger, path)).status).toBe('unchanged');
    const top = await ledger.top({ by: parseGroupBy('chain') });
    expect(top.map((row) => [row.key, row.bytes, row.packets])).toEqual([
      ['web', 1440000n, 1800n],
      ['mail', 52000n, 40n],
    ]);
  });
});

describe('ingest of argus data files', () => {
  it('reads flows natively, once', async () => {
    const file = twoPacketUdp(dir);
    expect(await ingestFile(ledger, file)).toMatchObject({
      format: 'argus',
      status: 'ingested',
      records: 2,
      skipped: {},
    });
    expect((await ingestFile(ledger, file)).status).toBe('unchanged');
    const top = await ledger.top({ by: parseGroupBy('src') });
    expect(top.map((row) => [row.key, row.packets, row.bytes])).toEqual([
      ['192.0.2.9', 1n, 142n],
      ['10.0.0.5', 1n, 72n],
    ]);
  });
});

describe('ingest of tstat logs', () => {
  it('takes both directions of each TCP flow (payload bytes, data packets)', async () => {
    const log = new URL('../tstat/fixtures/formats-3.7-log_tcp_complete', import.meta.url).pathname;
    const path = join(dir, 'log_tcp_complete');
    copyFileSync(log, path);
    const outcome = await ingestFile(ledger, path);
    expect(outcome).toMatchObject({ format: 'tstat', status: 'ingested' });
    expect((await ingestFile(ledger, path)).status).toBe('unchanged');
    // The one flow of the fixture: c_bytes_uniq 741 / c_pkts_data 7, s_bytes_uniq 4296 / s_pkts_data 5.
    const top = await ledger.top({ by: parseGroupBy('src') });
    expect(top.map((row) => [row.key, row.bytes, row.packets])).toEqual([
      ['35.241.23.245', 4296n, 5n],
      ['192.168.65.3', 741n, 7n],
    ]);
  });

  it('counts the rows it skips', async () => {
    const log = new URL('../tstat/fixtures/formats-3.7-log_tcp_complete', import.meta.url).pathname;
    const path = join(dir, 'log_tcp_complete');
    writeFileSync(path, readFileSync(log, 'latin1') + '10.0.0.1 1234\n', 'latin1');
    expect(await ingestFile(ledger, path)).toMatchObject({ records: 2, skipped: { 'short row': 1 } });
  });
});

describe('ingest of packet captures', () => {
  it('stores one record per directional flow with wire bytes', async () => {
    const path = join(dir, 'trace');
    const udp = { src: '192.0.2.1', dst: '198.51.100.2', proto: 17, sport: 5000, dport: 53 };
    writeFileSync(
      path,
      buildPcap([
        { time: 1000, ...udp, payload: 10 }, // 14 + 20 + 8 + 10 = 52 bytes on the wire
        { time: 1001, ...udp, payload: 20 }, // 62
        {
          time: 1002,
          src: '198.51.100.2',
          dst: '192.0.2.1',
          proto: 17,
          sport: 53,
          dport: 5000,
          payload: 100,
        }, // 142
      ]),
    );
    expect(await ingestFile(ledger, path)).toMatchObject({ format: 'pcap', status: 'ingested', records: 2 });
    expect((await ingestFile(ledger, path)).status).toBe('unchanged');
    const top = await ledger.top({ by: parseGroupBy('src') });
    expect(top.map((row) => [row.key, row.packets, row.bytes])).toEqual([
      ['198.51.100.2', 1n, 142n],
      ['192.0.2.1', 2n, 114n],
    ]);
  });

  it('counts a capture that grew once: the whole re-read replaces the first read', async () => {
    const path = join(dir, 'growing.pcap');
    const udp = { src: '192.0.2.1', dst: '198.51.100.2', proto: 17, sport: 5000, dport: 53 };
    writeFileSync(path, buildPcap([{ time: 1000, ...udp, payload: 10 }]));
    expect(await ingestFile(ledger, path)).toMatchObject({ status: 'ingested', records: 1 });
    // tcpdump appends records to the file it writes: the old bytes stay a prefix.
    appendFileSync(path, pcapRecord(1001, buildEthernetFrame({ time: 1001, ...udp, payload: 20 })));
    expect(await ingestFile(ledger, path)).toMatchObject({ status: 'ingested', records: 1, fromOffset: 0 });
    const top = await ledger.top({ by: parseGroupBy('src') });
    expect(top.map((row) => [row.key, row.packets, row.bytes])).toEqual([['192.0.2.1', 2n, 114n]]);
    expect(await ledger.sources()).toHaveLength(1);
  });
});
