/**
 * The ledger test suite, run against every backend (duckdb.test.ts, clickhouse.test.ts): the same files,
 * the same expected totals, computed straight from the records by the aggregate layer.
 */
import { appendFile, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGroupBy } from '../../src/aggregate/keys.js';
import { seriesOfRecords, totalsOfRecords } from '../../src/aggregate/totals.js';
import { ingestFile } from '../../src/ledger/ingest.js';
import type { Ledger } from '../../src/ledger/types.js';
import type { TrafficRecord } from '../../src/model/record.js';
import { BASE_TIME, generateRecords, toNdjson } from './generate.js';

export interface SuiteBackend {
  name: string;
  /** Opens a fresh, empty ledger. */
  open(): Promise<Ledger>;
  /** Removes what `open` created (after close). */
  dispose(ledger: Ledger): Promise<void>;
}

export function describeLedgerSuite(backend: SuiteBackend, enabled = true): void {
  describe.runIf(enabled)(`ledger suite: ${backend.name}`, () => {
    let dir: string;
    let ledger: Ledger;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'netledger-ledger-'));
      ledger = await backend.open();
    });
    afterEach(async () => {
      await ledger.close();
      await backend.dispose(ledger);
      await rm(dir, { recursive: true, force: true });
    });

    const write = async (name: string, records: readonly TrafficRecord[]): Promise<string> => {
      const path = join(dir, name);
      await writeFile(path, toNdjson(records));
      return path;
    };
    const hostTop = (limit?: number) =>
      ledger.top({ by: parseGroupBy('host'), ...(limit === undefined ? {} : { limit }) });

    it('ingests a file and ranks hosts exactly as the records add up', async () => {
      const records = generateRecords(3000, 1);
      const progress: number[] = [];
      const outcome = await ingestFile(ledger, await write('a.ndjson', records), {
        onProgress: (count) => progress.push(count),
      });
      expect(outcome).toMatchObject({ status: 'ingested', records: 3000, format: 'ndjson', fromOffset: 0 });
      expect(progress.at(-1)).toBe(3000);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(await hostTop()).toEqual(totalsOfRecords(records, parseGroupBy('host')));
      expect(await hostTop(3)).toEqual(totalsOfRecords(records, parseGroupBy('host')).slice(0, 3));
      const [entry] = await ledger.sources();
      expect(entry).toMatchObject({ records: 3000n, fromOffset: 0, format: 'ndjson' });
      expect(entry!.firstTime).toBe(Math.min(...records.map((r) => r.start)));
      expect(entry!.lastTime).toBe(Math.max(...records.map((r) => r.end)));
    });

    it('changes nothing when the same file, or a copy of it, is ingested again', async () => {
      const records = generateRecords(500, 2);
      const path = await write('a.ndjson', records);
      await ingestFile(ledger, path);
      const before = await hostTop();
      expect(await ingestFile(ledger, path)).toMatchObject({ status: 'unchanged', records: 0 });
      await copyFile(path, join(dir, 'copy.ndjson'));
      expect(await ingestFile(ledger, join(dir, 'copy.ndjson'))).toMatchObject({ status: 'unchanged' });
      expect(await hostTop()).toEqual(before);
      expect(await ledger.sources()).toHaveLength(1);
    });

    it('adds only the new part of a file that grew', async () => {
      const first = generateRecords(700, 3);
      const more = generateRecords(300, 4);
      const path = await write('grow.ndjson', first);
      await ingestFile(ledger, path);
      const oldSize = toNdjson(first).length;
      await appendFile(path, toNdjson(more));
      const outcome = await ingestFile(ledger, path);
      expect(outcome).toMatchObject({ status: 'ingested', records: 300, fromOffset: oldSize });
      expect(await hostTop()).toEqual(totalsOfRecords([...first, ...more], parseGroupBy('host')));
      expect(await ingestFile(ledger, path)).toMatchObject({ status: 'unchanged' });
      expect((await ledger.sources()).map((entry) => entry.fromOffset)).toEqual([0, oldSize]);
    });

    it('reads a rewritten file whole when its old prefix no longer matches', async () => {
      const first = generateRecords(200, 5);
      const path = await write('rewritten.ndjson', first);
      await ingestFile(ledger, path);
      const replaced = generateRecords(250, 6);
      await writeFile(path, toNdjson(replaced));
      expect(await ingestFile(ledger, path)).toMatchObject({
        status: 'ingested',
        records: 250,
        fromOffset: 0,
      });
      expect(await hostTop()).toEqual(totalsOfRecords([...first, ...replaced], parseGroupBy('host')));
    });

    it('leaves the ledger as it was when an ingest fails part-way', async () => {
      const good = generateRecords(400, 7);
      await ingestFile(ledger, await write('good.ndjson', good));
      const before = await hostTop();
      const bad = join(dir, 'bad.ndjson');
      await writeFile(bad, toNdjson(generateRecords(9000, 8)) + '{"start": 1, "end": 2, "bytes": 5}\n');
      await expect(ingestFile(ledger, bad)).rejects.toThrow(
        expect.objectContaining({
          message: "'packets' must be a non-negative integer",
          position: { file: bad, line: 9001 },
        }),
      );
      expect(await hostTop()).toEqual(before);
      expect(await ledger.sources()).toHaveLength(1);
    });

    it.each([
      'src',
      'dst',
      'cidr24',
      'cidr/16',
      'cidr/8,32',
      'domain',
      'mac',
      'chain',
      'port',
      'proto',
      'sensor',
    ])('ranks by %s as the records add up', async (by) => {
      const records = generateRecords(1500, 9);
      await ingestFile(ledger, await write('keys.ndjson', records));
      expect(await ledger.top({ by: parseGroupBy(by) })).toEqual(totalsOfRecords(records, parseGroupBy(by)));
    });

    it('counts only records starting inside --since/--until', async () => {
      const records = generateRecords(1000, 10);
      await ingestFile(ledger, await write('w.ndjson', records));
      const since = BASE_TIME + 3600;
      const until = BASE_TIME + 7200;
      const inside = records.filter((r) => r.start >= since && r.start < until);
      expect(await ledger.top({ by: parseGroupBy('host'), since, until })).toEqual(
        totalsOfRecords(inside, parseGroupBy('host')),
      );
    });

    it('splits records across bin edges exactly as apportion does', async () => {
      const records = generateRecords(2000, 11);
      await ingestFile(ledger, await write('s.ndjson', records));
      for (const [by, bin] of [
        ['host', 300],
        ['cidr24', 3600],
        ['proto', 60],
      ] as const) {
        const expected = seriesOfRecords(records, parseGroupBy(by), { origin: 0, width: bin });
        expect(await ledger.series({ by: parseGroupBy(by), binSeconds: bin })).toEqual(expected);
      }
    });

    it('limits a series to the keys top ranks first', async () => {
      const records = generateRecords(1200, 14);
      await ingestFile(ledger, await write('sl.ndjson', records));
      for (const by of ['host', 'cidr/16,32', 'port']) {
        const kept = new Set(
          totalsOfRecords(records, parseGroupBy(by))
            .slice(0, 2)
            .map((total) => total.key),
        );
        const expected = seriesOfRecords(records, parseGroupBy(by), { origin: 0, width: 600 });
        expect(await ledger.series({ by: parseGroupBy(by), binSeconds: 600, limit: 2 })).toEqual(
          expected.filter((point) => kept.has(point.key)),
        );
      }
    });

    it('reports whole bins overlapping the series window', async () => {
      const records = generateRecords(800, 12);
      await ingestFile(ledger, await write('sw.ndjson', records));
      const since = BASE_TIME + 1000;
      const until = BASE_TIME + 5000;
      const all = seriesOfRecords(records, parseGroupBy('src'), { origin: 0, width: 300 });
      const first = Math.floor(since / 300) * 300;
      const last = Math.ceil(until / 300) * 300;
      expect(await ledger.series({ by: parseGroupBy('src'), binSeconds: 300, since, until })).toEqual(
        all.filter((point) => point.binStart >= first && point.binStart < last),
      );
    });

    it('keeps counters beyond 2^53 exact', async () => {
      const big = 2n ** 60n + 7n;
      const records: TrafficRecord[] = [
        { start: BASE_TIME, end: BASE_TIME + 10, src: '10.0.0.1', packets: 3, bytes: big },
        { start: BASE_TIME, end: BASE_TIME + 10, src: '10.0.0.1', packets: 1, bytes: big },
      ];
      await ingestFile(ledger, await write('big.ndjson', records));
      expect(await ledger.top({ by: parseGroupBy('src') })).toEqual([
        { key: '10.0.0.1', bytes: 2n * big, packets: 4n, records: 2n },
      ]);
    });

    it('ingests batches given directly and refuses the same batch twice', async () => {
      const records = generateRecords(50, 13);
      const fingerprint = {
        identity: 'batch:b-1',
        path: 'amqp:q',
        format: 'ndjson',
        fromOffset: 0,
        size: 1234,
        contentHash: 'feed',
      };
      async function* once() {
        yield records;
      }
      expect(await ledger.ingestSource(fingerprint, once())).toMatchObject({
        status: 'ingested',
        records: 50,
      });
      expect(await ledger.ingestSource(fingerprint, once())).toMatchObject({ status: 'unchanged' });
      expect(await hostTop()).toEqual(totalsOfRecords(records, parseGroupBy('host')));
    });

    it('a whole re-read of a grown source replaces the shorter reads: nothing counts twice', async () => {
      const all = generateRecords(60, 17);
      const base = { identity: 'file:/grown.pcap', path: '/grown.pcap', format: 'pcap', fromOffset: 0 };
      async function* batch(records: TrafficRecord[]) {
        yield records;
      }
      const first = await ledger.ingestSource(
        { ...base, size: 100, contentHash: 'a' },
        batch(all.slice(0, 20)),
      );
      const second = await ledger.ingestSource({ ...base, size: 300, contentHash: 'b' }, batch(all), {
        replaces: [first.entry!.id],
      });
      expect(second).toMatchObject({ status: 'ingested', records: 60 });
      expect(await hostTop()).toEqual(totalsOfRecords(all, parseGroupBy('host')));
      expect((await ledger.sources({ identity: base.identity })).map((entry) => entry.size)).toEqual([300]);
    });
  });
}
