import { describe, expect, it } from 'vitest';
import { parseStatusTable } from '../sources/sniffer/read.js';
import type { SnifferEntry, SnifferStatus } from '../sources/sniffer/status.js';
import { mergeStatuses, mergeStatusTables } from './sniffer-merge.js';

const entry = (ip: string, fields: Partial<SnifferEntry> = {}): SnifferEntry => ({
  ip,
  bytes: 100,
  count: 2,
  lastUpdate: 1000,
  names: [],
  ratePerHour: 60,
  start: 500,
  ptrExpiry: 0,
  bytesPerHour: 3600,
  ...fields,
});

const hostA: SnifferStatus = {
  header: '# Net::Connection::Sniffer version 0.36\n# hits:\t\t10 per minute\n# bytes:\t100 per second\n',
  entries: [
    entry('192.0.2.1', { names: ['a.example', 'b.example'], ptrExpiry: 2000 }),
    entry('192.0.2.9'),
    entry('2001:db8::1', { bytes: 5 }),
  ],
};
const hostB: SnifferStatus = {
  header: '# Net::Connection::Sniffer version 0.36\n# hits:\t\t3 per minute\n# bytes:\t7 per second\n',
  entries: [
    entry('198.51.100.4'),
    entry('192.0.2.1', {
      bytes: 50,
      count: 1,
      lastUpdate: 1500,
      names: ['b.example', 'c.example'],
      ratePerHour: 6,
      start: 400,
      ptrExpiry: 1800,
      bytesPerHour: 36,
    }),
    // The same address spelled out in full: one IP, so one row.
    entry('2001:0db8:0:0:0:0:0:1', { bytes: 7 }),
  ],
};

describe('mergeStatuses (rem_update, fixed)', () => {
  const merged = mergeStatuses([hostA, hostB]);

  it('sums B, C, R and W, keeps the latest E and T and the earliest S, and unites the names', () => {
    expect(merged.entries.find((e) => e.ip === '192.0.2.1')).toEqual({
      ip: '192.0.2.1',
      bytes: 150,
      count: 3,
      lastUpdate: 1500,
      names: ['a.example', 'b.example', 'c.example'],
      ratePerHour: 66,
      start: 400,
      ptrExpiry: 2000,
      bytesPerHour: 3636,
    });
  });

  it('keeps every IP once, in the order first seen, with the first spelling of an address', () => {
    expect(merged.entries.map((e) => [e.ip, e.bytes])).toEqual([
      ['192.0.2.1', 150],
      ['192.0.2.9', 100],
      ['2001:db8::1', 12],
      ['198.51.100.4', 100],
    ]);
  });

  it('concatenates the headers and sums the first hits and bytes of each', () => {
    expect(merged.headers).toBe(hostA.header + hostB.header);
    expect([merged.hitsPerMinute, merged.bytesPerSecond]).toEqual([13, 107]);
  });

  it('gives the same as mergeStatusTables over the files read into columns', () => {
    const table = (text: string) => parseStatusTable(Buffer.from(text, 'latin1'), 'x.stats');
    const body = (status: SnifferStatus) =>
      status.header +
      '{\n  my $dump = {\n' +
      status.entries
        .map(
          (e) =>
            `'${e.ip}' => { B => ${e.bytes}, C => ${e.count}, E => ${e.lastUpdate}, N => [${e.names.map((n) => `'${n}'`).join(',')}], R => ${e.ratePerHour}, S => ${e.start}, T => ${e.ptrExpiry}, W => ${e.bytesPerHour} },\n`,
        )
        .join('') +
      '  };\n}\n';
    const fromTables = mergeStatusTables([table(body(hostA)), table(body(hostB))]);
    expect(fromTables.table.entries()).toEqual(merged.entries);
    expect(fromTables.headers).toBe(merged.headers);
  });
});
