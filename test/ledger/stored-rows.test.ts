/**
 * The DuckDB ledger stores every field of every record as given: read back from `flows` (texts through
 * `strings`), across many chunks and many load statements, with fields present in all, some or none of
 * the rows of a chunk or of a statement; a failure while a statement runs leaves nothing behind.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDbLedger, LEDGER_TABLES } from '../../src/ledger/duckdb.js';
import { FlowLoader } from '../../src/ledger/flow-loader.js';
import { FlowRows, FlowRowWriter } from '../../src/ledger/flow-rows.js';
import type { TrafficRecord } from '../../src/model/record.js';
import { BASE_TIME, seededRandom } from './generate.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netledger-rows-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Records whose optional fields come and go in runs, so that chunks are all-present, mixed or empty. */
function varied(count: number): TrafficRecord[] {
  const random = seededRandom(42);
  const records: TrafficRecord[] = [];
  for (let i = 0; i < count; i++) {
    const phase = Math.floor(i / 6000) % 4; // 0: all fields, 1: mixed, 2: bare, 3: mixed
    const has = () => phase === 0 || ((phase === 1 || phase === 3) && random() < 0.5);
    const start = BASE_TIME + i / 10;
    const record: TrafficRecord = {
      start,
      end: start + (i % 7),
      packets: i % 1000 === 0 ? 2 ** 40 + i : i % 300,
      bytes: i % 977 === 0 ? 2n ** 63n + BigInt(i) : 40 + i,
    };
    if (has()) record.src = `10.0.${(i >> 8) & 255}.${i & 255}`;
    if (has()) record.dst = `2001:db8::${(i % 5000).toString(16)}`;
    if (has()) record.sport = i % 65536;
    if (has()) record.dport = (i * 7) % 65536;
    if (has()) record.proto = ['tcp', 'udp', '47'][i % 3]!;
    if (has()) record.srcMac = `00:00:00:00:${(i >> 8) & 255}:${i & 255}`;
    if (has()) record.dstMac = 'ff:ff:ff:ff:ff:ff';
    if (has()) record.vlan = i % 4095;
    if (has()) record.name = `chain-${i % 11}`;
    if (has()) record.sensor = `sensor-${i % 3}`;
    if (has()) {
      const extra: Record<string, number | string> = {};
      if (random() < 0.7) extra.srcName = `h${i % 50}.example.org`;
      if (random() < 0.7) extra.dstName = `ü${i % 20}.example.net`;
      if (random() < 0.3) extra.rate = i / 4;
      if (random() < 0.1) extra.note = `"quoted" ${i}`;
      record.extra = extra;
    }
    records.push(record);
  }
  return records;
}

/** A record as it reads back: absent fields absent, counters as bigint, `extra` as stored. */
function expected(record: TrafficRecord): Record<string, unknown> {
  const { extra, ...fields } = record;
  const out: Record<string, unknown> = {
    ...fields,
    packets: BigInt(record.packets),
    bytes: BigInt(record.bytes),
  };
  if (extra !== undefined) {
    const { srcName, dstName, ...rest } = extra;
    if (srcName !== undefined) out.srcName = srcName;
    if (dstName !== undefined) out.dstName = dstName;
    if (Object.keys(rest).length > 0) out.extra = JSON.stringify(rest);
  }
  return out;
}

const STORED_FIELDS = [
  'start',
  'end',
  'src',
  'dst',
  'sport',
  'dport',
  'proto',
  'srcMac',
  'dstMac',
  'vlan',
  'name',
  'sensor',
  'srcName',
  'dstName',
  'packets',
  'bytes',
  'extra',
];

/** Rows of `flows` as records (texts through `strings`), in start order. */
async function storedRows(connection: DuckDBConnection): Promise<Record<string, unknown>[]> {
  const texts = ['src', 'dst', 'proto', 'src_mac', 'dst_mac', 'name', 'sensor', 'src_name', 'dst_name'];
  // Texts through `strings`, joined (a correlated subquery per column took seconds here).
  const joins = texts.map((column) => `LEFT JOIN strings s_${column} ON s_${column}.id = f.${column}`);
  const text = (column: string) => `s_${column}.value`;
  const reader = await connection.runAndReadAll(
    `SELECT ts_start, ts_end, ${text('src')}, ${text('dst')}, sport, dport, ${text('proto')},
       ${text('src_mac')}, ${text('dst_mac')}, vlan, ${text('name')}, ${text('sensor')},
       ${text('src_name')}, ${text('dst_name')}, packets, bytes, extra
     FROM flows f ${joins.join(' ')} ORDER BY ts_start`,
  );
  return reader.getRows().map((row) => {
    const out: Record<string, unknown> = {};
    row.forEach((value, index) => {
      if (value !== null) out[STORED_FIELDS[index]!] = value;
    });
    return out;
  });
}

/** Compares canonical text row by row (fast), then shows the first difference through expect. */
function expectStored(stored: Record<string, unknown>[], records: readonly TrafficRecord[]): void {
  expect(stored.length).toBe(records.length);
  for (let i = 0; i < records.length; i++) {
    if (canonical(stored[i]!) !== canonical(expected(records[i]!))) {
      expect(stored[i]).toEqual(expected(records[i]!));
    }
  }
}

it('stores every field of every record, in chunks all present, mixed and empty', async () => {
  const records = varied(26_001); // many chunks, a last partial one
  const path = join(dir, 'rows.duckdb');
  const ledger = await DuckDbLedger.open(path);
  async function* batches() {
    for (let at = 0; at < records.length; at += 7_000) yield records.slice(at, at + 7_000);
  }
  const outcome = await ledger.ingestSource(
    { identity: 'test', path: 'varied', format: 'test', fromOffset: 0, size: 1, contentHash: 'varied' },
    batches(),
  );
  expect(outcome).toMatchObject({ status: 'ingested', records: records.length });
  await ledger.close();
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  expectStored(await storedRows(connection), records);
  connection.closeSync();
  instance.closeSync();
}, 120_000);

it('stores a dictionary larger than one load file of texts, after texts already stored', async () => {
  const path = join(dir, 'many.duckdb');
  const ledger = await DuckDbLedger.open(path);
  const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const make = (from: number, count: number): TrafficRecord[] =>
    Array.from({ length: count }, (_, k) => {
      const i = from + k;
      return {
        start: BASE_TIME + i,
        end: BASE_TIME + i,
        src: address(i),
        dst: `ü${i % 3}`,
        packets: 1,
        bytes: i,
      };
    });
  const source = (name: string) => ({
    identity: name,
    path: name,
    format: 'test',
    fromOffset: 0,
    size: 1,
    contentHash: name,
  });
  async function* once(records: TrafficRecord[]) {
    yield records;
  }
  const first = make(0, 1000);
  const second = make(500, 130_000); // 500 texts known, 129,500 + 'ü…' new: two files of texts
  await ledger.ingestSource(source('a'), once(first));
  await ledger.ingestSource(source('b'), once(second));
  await ledger.close();
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const strings = await connection.runAndReadAll(
    'SELECT count(*), count(DISTINCT id), count(DISTINCT value), min(id), max(id) FROM strings',
  );
  const texts = 130_500 + 3;
  expect(strings.getRows()).toEqual([[BigInt(texts), BigInt(texts), BigInt(texts), 1, texts]]);
  const stored = await connection.runAndReadAll(
    `SELECT s.value, d.value, f.bytes FROM flows f JOIN strings s ON s.id = f.src JOIN strings d ON d.id = f.dst
     WHERE f.source_id = 2 ORDER BY f.ts_start`,
  );
  expect(stored.getRows()).toEqual(second.map((record) => [record.src, record.dst, BigInt(record.bytes)]));
  connection.closeSync();
  instance.closeSync();
}, 120_000);

describe('FlowRowWriter', () => {
  it('refuses a port or VLAN the USMALLINT columns cannot hold, naming the record and the file', () => {
    const write = (record: Partial<TrafficRecord>) => () => {
      const writer = new FlowRowWriter(
        () => new FlowRows(),
        () => undefined,
        { ids: new Map(), added: [] },
        'in.log',
      );
      writer.write([
        { start: 1, end: 2, packets: 1, bytes: 1, sport: 65535, dport: 0 },
        { start: 1, end: 2, packets: 1, bytes: 1, ...record },
      ]);
    };
    for (const [record, message] of [
      [{ sport: -1 }, 'record 2: sport must be an integer 0..65535, got -1'],
      [{ dport: 65536 }, 'record 2: dport must be an integer 0..65535, got 65536'],
      [{ vlan: 1.5 }, 'record 2: vlan must be an integer 0..65535, got 1.5'],
      [{ sport: NaN }, 'record 2: sport must be an integer 0..65535, got NaN'],
    ] as const) {
      expect(write(record)).toThrow(expect.objectContaining({ message, position: { file: 'in.log' } }));
    }
    expect(write({ sport: 0, dport: 65535, vlan: 4095 })).not.toThrow();
  });
});

describe('FlowLoader', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeEach(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    for (const statement of LEDGER_TABLES) await connection.run(statement);
  });
  afterEach(() => {
    connection.closeSync();
    instance.closeSync();
  });

  /** Loads records with two chunks per statement; `failAt` throws after that many batches. */
  async function load(records: readonly TrafficRecord[], failAt?: number): Promise<void> {
    const ids = new Map<string, number>();
    const loader = new FlowLoader(connection, 7, 2);
    const writer = new FlowRowWriter(loader.take, loader.add, { ids, added: [] }, 'test');
    await connection.run('BEGIN TRANSACTION');
    try {
      for (let at = 0, batch = 0; at < records.length; at += 3_000, batch++) {
        if (batch === failAt) throw new Error('failed while a statement runs');
        writer.write(records.slice(at, at + 3_000));
        await loader.pump();
      }
      writer.finish();
      await loader.finish();
    } catch (error) {
      await loader.stop();
      await connection.run('ROLLBACK');
      throw error;
    }
    const strings = [...ids].map(([value, id]) => `(${id}, '${value.replace(/'/g, "''")}')`);
    await connection.run(`INSERT INTO strings VALUES ${strings.join(', ')}`);
    await connection.run('COMMIT');
  }

  it('stores every record through many statements (columns absent from a whole statement too)', async () => {
    // Rows 12,288-16,383 (the fourth statement) are all bare.
    const records = varied(26_001);
    await load(records);
    expectStored(await storedRows(connection), records);
    const sources = await connection.runAndReadAll('SELECT DISTINCT source_id FROM flows');
    expect(sources.getRows()).toEqual([[7]]);
  }, 120_000);

  it('leaves nothing behind when reading fails while a statement runs', async () => {
    await expect(load(varied(26_001), 6)).rejects.toThrow('failed while a statement runs');
    const count = await connection.runAndReadAll('SELECT count(*) FROM flows');
    expect(count.getRows()).toEqual([[0n]]);
  });
});

function canonical(row: Record<string, unknown>): string {
  return Object.keys(row)
    .sort()
    .map((key) => `${key}=${String(row[key])}${typeof row[key] === 'bigint' ? 'n' : ''}`)
    .join(' ');
}
