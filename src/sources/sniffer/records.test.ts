import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStatus } from './read.js';
import { statusToRecords } from './records.js';

describe('statusToRecords', () => {
  it('turns each IP into one record of its current interval', () => {
    const buffer = readFileSync(
      new URL('../../../test/sniffer/fixtures/formats-example.stats', import.meta.url),
    );
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
