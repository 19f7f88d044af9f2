import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStatus, parseStatusTable } from './read.js';
import { statusRecordBatches, statusToRecords } from './records.js';

const buffer = readFileSync(new URL('../../../test/sniffer/fixtures/formats-example.stats', import.meta.url));

describe('statusToRecords', () => {
  it('turns each IP into one record of its current interval', () => {
    const records = statusToRecords(parseStatus(buffer, 'example'));
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual({
      start: 1145926700,
      end: 1145926812,
      src: '198.51.100.7',
      packets: 4,
      bytes: 240,
      sensor: 'eth0',
      extra: {
        ratePerHour: 120,
        bytesPerHour: 36000,
        ptrExpiry: 1146009100,
        names: 'a.example.com',
        srcName: 'a.example.com',
      },
    });
    expect(records.reduce((sum, record) => sum + Number(record.bytes), 0)).toBe(310);
  });
});

describe('statusRecordBatches', () => {
  it('gives the same records from the columns, in batches of the size asked for, in file order', () => {
    const batches = [...statusRecordBatches(parseStatusTable(buffer, 'example'), 2)];
    expect(batches.map((batch) => batch.length)).toEqual([2, 1]);
    expect(batches.flat()).toEqual(statusToRecords(parseStatus(buffer, 'example')));
    expect(batches.flat().map((record) => record.src)).toEqual([
      '198.51.100.7',
      '198.51.100.9',
      '203.0.113.5',
    ]);
  });
});
