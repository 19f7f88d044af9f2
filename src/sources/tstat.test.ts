import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newSourceCounters } from '../model/record.js';
import { tempDir } from '../../test/tstat/helpers.js';
import type { TstatRow } from './tstat.js';
import {
  TstatLineSplitter,
  cleanHeaderName,
  mapTstatColumns,
  readTstatLog,
  readTstatRecords,
} from './tstat.js';

async function readAll(content: string) {
  const temp = await tempDir();
  try {
    const file = join(temp.path, 'log_udp_complete');
    await writeFile(file, content);
    const counters = newSourceCounters();
    const skips: Array<{ line: number; reason: string }> = [];
    const rows: TstatRow[] = [];
    let columns: ReadonlyMap<string, number> | undefined;
    for await (const batch of readTstatLog(file, {
      counters,
      onSkip: ({ line, reason }) => skips.push({ line, reason }),
      chunkBytes: 7, // tiny chunks: lines and characters split across reads
    })) {
      columns = batch.columns;
      rows.push(...batch.rows);
    }
    return { rows, counters, skips, columns };
  } finally {
    await temp.cleanup();
  }
}

describe('tstat header names', () => {
  it('drops everything up to the right-most # and from the first :', () => {
    expect(cleanHeaderName('#15#c_ip:1')).toBe('c_ip');
    expect(cleanHeaderName('#c_ip:1')).toBe('c_ip');
    expect(cleanHeaderName('c_bytes_uniq:7')).toBe('c_bytes_uniq');
    expect(cleanHeaderName('a#b#c:1:2')).toBe('c');
    expect(cleanHeaderName('fqdn')).toBe('fqdn');
  });

  it('a repeated name keeps the value of its last column', () => {
    const columns = mapTstatColumns(['#c_ip:1', 'x:2', 'x:3']);
    expect(columns.get('c_ip')).toBe(0);
    expect(columns.get('x')).toBe(2);
  });
});

describe('tstat line splitting (Python csv, delimiter " ")', () => {
  it('splits on single spaces; empty fields stay', () => {
    expect(new TstatLineSplitter().push('a  b ')).toEqual(['a', '', 'b', '']);
    expect(new TstatLineSplitter().push('')).toEqual([]);
  });

  it('a field starting with a quote runs to the closing quote; "" is a quote; other quotes are literal', () => {
    const splitter = new TstatLineSplitter();
    expect(splitter.push('1 "a b" c')).toEqual(['1', 'a b', 'c']);
    expect(splitter.push('"x""y"z 2')).toEqual(['x"yz', '2']);
    expect(splitter.push('a"b c')).toEqual(['a"b', 'c']);
  });

  it('an open quote swallows the line end and continues on the next line', () => {
    const splitter = new TstatLineSplitter();
    expect(splitter.push('1 "open')).toBeUndefined();
    expect(splitter.continuing).toBe(true);
    expect(splitter.push('still" 2')).toEqual(['1', 'open\nstill', '2']);
    expect(splitter.push('3 "never closed')).toBeUndefined();
    expect(splitter.finish()).toEqual(['3', 'never closed']);
  });
});

describe('readTstatLog', () => {
  it('an empty file and a header-only file give no rows', async () => {
    expect((await readAll('')).rows).toEqual([]);
    const headerOnly = await readAll('#c_ip:1 c_port:2\n');
    expect(headerOnly.rows).toEqual([]);
    expect(headerOnly.counters.read).toBe(0);
  });

  it('skips and counts short and long rows with their line, ignores blank lines, reads CRLF', async () => {
    const { rows, counters, skips, columns } = await readAll(
      '#c_ip:1 c_port:2 fqdn:3\r\n10.0.0.1 1 a\r\n10.0.0.2 2\r\n\r\n10.0.0.3 3 b extra\r\n2001:db8::1 4 "x y"',
    );
    expect(columns?.get('fqdn')).toBe(2);
    expect(rows.map((row) => [row.line, ...row.fields])).toEqual([
      [2, '10.0.0.1', '1', 'a'],
      [6, '2001:db8::1', '4', 'x y'],
    ]);
    expect(skips).toEqual([
      { line: 3, reason: 'short row' },
      { line: 5, reason: 'long row' },
    ]);
    expect(counters).toEqual({ read: 4, decoded: 2, skipped: { 'short row': 1, 'long row': 1 } });
  });

  it('reads a file without a final newline and UTF-8 split across chunks', async () => {
    const { rows } = await readAll('#c_ip:1 fqdn:2\n10.0.0.1 café.example');
    expect(rows[0]?.fields).toEqual(['10.0.0.1', 'café.example']);
  });
});

describe('readTstatRecords', () => {
  it('gives one record per direction with payload bytes and packets; counts rows it cannot use', async () => {
    const temp = await tempDir();
    try {
      const file = join(temp.path, 'log_udp_complete');
      await writeFile(
        file,
        '#c_ip:1 c_port:2 c_first_abs:3 c_durat:4 c_bytes_all:5 c_pkts_all:6 s_ip:7 s_port:8 s_first_abs:9 s_durat:10 s_bytes_all:11 s_pkts_all:12\n' +
          '10.0.0.5 40000 1455745800000.000 120000.000 150 12 192.0.2.9 53 1455745800010.500 119990.000 2000 40\n' +
          '10.0.0.5 40001 1455745800000.000 1.000 - 12 192.0.2.9 53 1455745800010.500 1.000 2000 40\n',
      );
      const counters = newSourceCounters();
      const records = [];
      for await (const record of readTstatRecords(file, { protocol: 'udp', counters, sensor: 's1' })) {
        records.push(record);
      }
      expect(records).toEqual([
        {
          start: 1455745800,
          end: 1455745920,
          proto: 'udp',
          sensor: 's1',
          src: '10.0.0.5',
          sport: 40000,
          dst: '192.0.2.9',
          dport: 53,
          bytes: 150,
          packets: 12,
          extra: { direction: 'c2s' },
        },
        {
          start: 1455745800,
          end: 1455745920,
          proto: 'udp',
          sensor: 's1',
          src: '192.0.2.9',
          sport: 53,
          dst: '10.0.0.5',
          dport: 40000,
          bytes: 2000,
          packets: 40,
          extra: { direction: 's2c' },
        },
      ]);
      expect(counters).toEqual({ read: 2, decoded: 1, skipped: { 'non-numeric counter': 1 } });
    } finally {
      await temp.cleanup();
    }
  });
});
