import { describe, expect, it } from 'vitest';
import type { FwctlAccountingReport } from '../aggregate/fwctl-accounting.js';
import { formatByteCount, formatPacketCount, renderFwctlText, sampleUnitLabel } from './fwctl-text.js';
import { renderFwctlReport } from './fwctl.js';

const t0 = 954583200; // Sat 2000-04-01 10:00:00 UTC
const HOUR = 3600;
const DAY = 86400;

describe('units: true decimals (formats.md 2.6), the original thresholds', () => {
  it('formats bytes in binary units with one rounded decimal', () => {
    expect(formatByteCount(1100n)).toBe('1.1k'); // the original prints 1.7k
    expect(formatByteCount(1024n)).toBe('1024'); // "above 1024" as the original
    expect(formatByteCount(1536n)).toBe('1.5k');
    expect(formatByteCount(2048n)).toBe('2k');
    expect(formatByteCount(1048576n)).toBe('1024k');
    expect(formatByteCount(1680000n)).toBe('1.6M');
    expect(formatByteCount(560000n)).toBe('546.9k'); // 546.875k rounded half up
    expect(formatByteCount(1048575n)).toBe('1024k'); // 1023.999k rounds up
    expect(formatByteCount(5n * 1024n ** 3n + 1n)).toBe('5G');
    expect(formatByteCount(0n)).toBe('0');
  });
  it('formats packets in decimal units', () => {
    expect(formatPacketCount(700n)).toBe('700');
    expect(formatPacketCount(1000n)).toBe('1000');
    expect(formatPacketCount(2100n)).toBe('2.1k');
    expect(formatPacketCount(1050n)).toBe('1.1k');
    expect(formatPacketCount(12_345_678n)).toBe('12.3M');
    expect(formatPacketCount(123_456_789_012_345_678_901n)).toBe('123456789012345.7M');
  });
  it('labels samples as the original (d, h) and others by length', () => {
    expect([DAY, HOUR, 2 * DAY, 7200, 300, 90].map(sampleUnitLabel)).toEqual([
      'd',
      'h',
      '2d',
      '2h',
      '5m',
      '90s',
    ]);
  });
});

function report(sample: number, start: number, values: Record<string, number[]>): FwctlAccountingReport {
  const count = Object.values(values)[0]!.length;
  return {
    start,
    end: start + count * sample,
    sample,
    sampleCount: count,
    hasRecords: true,
    chains: Object.entries(values).map(([name, list]) => {
      const sum = BigInt(list.reduce((a, b) => a + b, 0));
      return {
        name,
        packetsSum: sum,
        bytesSum: sum * 1000n,
        packetsAvg: sum / BigInt(count),
        bytesAvg: (sum * 1000n) / BigInt(count),
        samples: list.map((value, i) => ({
          start: start + i * sample,
          packets: BigInt(value),
          bytes: BigInt(value) * 1000n,
        })),
      };
    }),
  };
}

describe('the fwctlacctreport text', () => {
  it('prints the heading and the summary table, byte for byte', () => {
    const text = renderFwctlText(report(HOUR, t0, { web: [1200, 600, 300] }), {
      sections: ['summary'],
      utc: true,
    });
    expect(text).toBe(
      '                          IP ACCOUNTING REPORT                          \n' +
        '                    00-04-01 10:00 - 00-04-01 13:00                    \n' +
        '\n\n' +
        '                                SUMMARY                                \n' +
        '\n' +
        'Name                Pkts   Pkts/h    Bytes  Bytes/h\n' +
        'web                 2.1k      700       2M   683.6k\n' +
        '\n\n',
    );
  });

  it('prints local time by default, following TZ', () => {
    const saved = process.env.TZ;
    process.env.TZ = 'Europe/Paris';
    try {
      const text = renderFwctlText(report(HOUR, t0, { web: [1] }), { sections: [] });
      expect(text.split('\n')[1]!.trim()).toBe('00-04-01 12:00 - 00-04-01 13:00');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('prints NO RECORDS for an empty report', () => {
    const empty = { ...report(DAY, t0, { x: [1] }), chains: [] };
    expect(renderFwctlText(empty, { sections: ['summary', 'packets'], utc: true })).toContain(
      'Name                Pkts   Pkts/d    Bytes  Bytes/d\n                               NO RECORDS                               \n\n\n',
    );
  });

  it('aligns hourly columns on 6-hour rows, continues on the next day, Avg per row', () => {
    // 10:00 to 01:00 next day: 15 samples; row 1 starts at 06:00 with 4 blank cells.
    const values = Array.from({ length: 15 }, (_, i) => i + 1);
    const text = renderFwctlText(report(HOUR, t0, { web: values }), { sections: ['packets'], utc: true });
    expect(text.split('\n').slice(4)).toEqual([
      '                            PACKETS PER HOUR                            ',
      '',
      '                           STATS FOR 00-04-01                           ',
      '',
      'Chain        06:00  07:00  08:00  09:00  10:00  11:00    Avg  Total',
      'web' + ' '.repeat(12 - 3 + 4 * 7) + '     1      2      1      3 ',
      '',
      'Chain        12:00  13:00  14:00  15:00  16:00  17:00    Avg  Total',
      'web              3      4      5      6      7      8      5     33 ',
      '',
      'Chain        18:00  19:00  20:00  21:00  22:00  23:00    Avg  Total',
      'web              9     10     11     12     13     14     11     69 ',
      '',
      '                           STATS FOR 00-04-02                           ',
      '',
      'Chain        00:00  01:00  02:00  03:00  04:00  05:00    Avg  Total',
      'web             15                                        15     15 ',
      '',
      '',
    ]);
  });

  it('starts daily rows on the Sunday of the first week', () => {
    const text = renderFwctlText(report(DAY, t0, { mail: [1, 2, 3], web: [1000, 2000, 3000] }), {
      sections: ['bytes'],
      utc: true,
    });
    expect(text.split('\n').slice(4)).toEqual([
      '                             BYTES PER DAY                             ',
      '',
      'Chain        03-26  03-27  03-28  03-29  03-30  03-31  04-01    Avg  Total',
      'mail' + ' '.repeat(12 - 4 + 6 * 7) + '  1000   1000   1000 ',
      'web' + ' '.repeat(12 - 3 + 6 * 7) + '976.6k 976.6k 976.6k ',
      '',
      'Chain        04-02  04-03  04-04  04-05  04-06  04-07  04-08    Avg  Total',
      'mail            2k   2.9k                                      2.4k   4.9k ',
      'web           1.9M   2.9M                                      2.4M   4.8M ',
      '',
      '',
    ]);
  });
});

describe('tabular formats', () => {
  const summary = report(HOUR, t0, { web: [1200, 600, 300] });
  it('writes CSV and NDJSON rows with exact integers', () => {
    expect(renderFwctlReport(summary, { kind: 'summary', format: 'csv' })).toBe(
      'name,packets_sum,bytes_sum,packets_avg,bytes_avg\r\nweb,2100,2100000,700,700000\r\n',
    );
    expect(renderFwctlReport(summary, { kind: 'samples', format: 'ndjson' })).toBe(
      `{"name":"web","start":${t0},"packets":1200,"bytes":1200000}\n` +
        `{"name":"web","start":${t0 + HOUR},"packets":600,"bytes":600000}\n` +
        `{"name":"web","start":${t0 + 2 * HOUR},"packets":300,"bytes":300000}\n`,
    );
  });
  it('writes the window and the counters into JSON', () => {
    const json = JSON.parse(
      renderFwctlReport(summary, {
        kind: 'summary',
        format: 'json',
        counters: { read: 5, decoded: 4, skipped: { 'bad timestamp': 1 } },
      }),
    );
    expect(json).toEqual({
      report: 'summary',
      start: t0,
      end: t0 + 3 * HOUR,
      sample: HOUR,
      sample_unit: 'h',
      samples: 3,
      counters: { read: 5, decoded: 4, skipped: { 'bad timestamp': 1 } },
      rows: [{ name: 'web', packets_sum: 2100, bytes_sum: 2100000, packets_avg: 700, bytes_avg: 700000 }],
    });
  });
});
