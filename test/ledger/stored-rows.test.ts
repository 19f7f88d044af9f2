/**
 * The DuckDB ledger stores every field of every record as given: read back from `flows` (texts through
 * `strings`), across many chunks and several load statements, with fields present in all, some or none
 * of the rows of a chunk.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DuckDbLedger } from '../../src/ledger/duckdb.js';
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
    const phase = Math.floor(i / 5000) % 4; // 0: all fields, 1: mixed, 2: bare, 3: mixed
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

async function storedRows(path: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
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
  const names = [
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
  const rows = reader.getRows().map((row) => {
    const out: Record<string, unknown> = {};
    row.forEach((value, index) => {
      if (value !== null) out[names[index]!] = value;
    });
    return out;
  });
  connection.closeSync();
  instance.closeSync();
  return rows;
}

it('stores every field of every record, in chunks all present, mixed and empty', async () => {
  // More than two load statements (131,072 rows each) and a last, partial chunk.
  const records = varied(270_001);
  const path = join(dir, 'rows.duckdb');
  const ledger = await DuckDbLedger.open(path);
  async function* batches() {
    for (let at = 0; at < records.length; at += 10_000) yield records.slice(at, at + 10_000);
  }
  const outcome = await ledger.ingestSource(
    { identity: 'test', path: 'varied', format: 'test', fromOffset: 0, size: 1, contentHash: 'varied' },
    batches(),
  );
  expect(outcome).toMatchObject({ status: 'ingested', records: records.length });
  await ledger.close();
  const stored = await storedRows(path);
  expect(stored.length).toBe(records.length);
  // One comparison per row is slow in expect; compare canonical text, then show the first difference.
  for (let i = 0; i < records.length; i++) {
    if (canonical(stored[i]!) !== canonical(expected(records[i]!))) {
      expect(stored[i]).toEqual(expected(records[i]!));
    }
  }
}, 180_000);

function canonical(row: Record<string, unknown>): string {
  return Object.keys(row)
    .sort()
    .map((key) => `${key}=${String(row[key])}${typeof row[key] === 'bigint' ? 'n' : ''}`)
    .join(' ');
}
