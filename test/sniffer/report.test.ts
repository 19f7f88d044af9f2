/**
 * The text report against goldens printed by the original Report.pm (see make-goldens.sh: the fixtures
 * come from the seeded generator in test/gen/sniffer-status.ts and avoid the original's known defects,
 * and each golden was checked to be independent of Perl's hash order). The formats.md example was also
 * derived by hand: 198.51.100.0/24 has R = 120 + 60 = 180 → 180/60 = 3 qrys/mn and W = 43200 → 12
 * bytes/s; ΣW = 45000 → 12.5 → "12" (printf rounds half to even); E = 1145926700 = apr 25 00:58:20 UTC.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDaemonStatus } from '../../src/sources/sniffer/write.js';
import { parseStatus } from '../../src/sources/sniffer/read.js';
import {
  buildSnifferReport,
  renderSnifferCsv,
  renderSnifferJson,
  renderSnifferText,
  snifferJsonChunks,
  snifferJsonValue,
} from '../../src/report/sniffer.js';
import { SnifferTable } from '../../src/sources/sniffer/table.js';
import { renderSnifferHtml } from '../../src/report/sniffer-html.js';
import { generateStatus } from '../gen/sniffer-status.js';

const here = new URL('./', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, here));
const textReport = (fixture: string, grouping: 'cidr24' | 'domain') =>
  renderSnifferText(buildSnifferReport(parseStatus(read(`fixtures/${fixture}.stats`), fixture), grouping), {
    utc: true,
  });

describe('text report, byte for byte as the original', () => {
  for (const fixture of ['formats-example', 'seed1-40', 'seed2-300']) {
    for (const [type, grouping] of [
      [0, 'cidr24'],
      [1, 'domain'],
    ] as const) {
      it(`${fixture}, type ${type} (${grouping})`, () => {
        expect(textReport(fixture, grouping)).toBe(read(`golden/${fixture}.${type}.txt`).toString('latin1'));
      });
    }
  }
  it('prints the hand-derived lines of the formats.md example', () => {
    const text = textReport('formats-example', 'cidr24');
    expect(text).toContain(
      '198.51.100.7\ta.example.com\n198.51.100.9\tb.example.com\n      3\t -- 12\t -- 2\tapr 25 00:58:20\n',
    );
    expect(text).toContain(
      'rate\t\t= 3 connections per minute\nbandwidth\t= 12 bytes per second\nusers\t\t= 3\n',
    );
  });
  it('fixtures are what the seeded generator makes (so goldens can be remade)', () => {
    const { header, entries } = generateStatus(2, { ips: 300, avoidLegacyDefects: true });
    expect(formatDaemonStatus(header, entries, true)).toBe(
      read('fixtures/seed2-300.stats').toString('latin1'),
    );
  });
});

describe('where the original is wrong', () => {
  const fixture = 'seed7-60-defects';
  const status = parseStatus(read(`fixtures/${fixture}.stats`), fixture);
  for (const grouping of ['cidr24', 'domain'] as const) {
    it(`lists every IP once and totals what it lists (${grouping})`, () => {
      const report = buildSnifferReport(status, grouping);
      const listed = Array.from(report.order, (g) => report.groups.listing(g)).flatMap((rows) =>
        Array.from(rows, (row) => report.table.ip(row)),
      );
      expect(listed.length).toBe(status.entries.length);
      expect(new Set(listed).size).toBe(status.entries.length);
      expect(report.bytesPerHour).toBe(status.entries.reduce((sum, entry) => sum + entry.bytesPerHour, 0));
    });
  }
  it('keeps the final /24 with three IPs that the original drops', () => {
    const text = textReport(fixture, 'cidr24');
    expect(text).toContain(
      '90.203.126.22\th790.example.net\n90.203.126.240\th990.example.net\n90.203.126.244\th733.example.net\n      5\t -- 11\t -- 3\tapr 25 00:25:59\n',
    );
    // The original prints 337 and 159 (the last group missing from the totals).
    expect(text).toContain(
      'rate\t\t= 342 connections per minute\nbandwidth\t= 170 bytes per second\nusers\t\t= 60\n',
    );
  });
  it('merges all /24s under example.org into one group (the original let later ones overwrite earlier ones)', () => {
    const report = buildSnifferReport(status, 'domain');
    const isp = report.groups.groups().find((group) => group.key === 'example.org');
    expect(isp?.members.length).toBe(13);
  });
});

describe('JSON in chunks', () => {
  it('is byte for byte the indented JSON of the whole value, in chunks of 256 groups', () => {
    // An IP without names too: its `"names": []` stays on one line.
    const { entries } = generateStatus(3, { ips: 3000, perCidr: 2, ipv6Share: 0.05 });
    const status = { header: '', entries: [...entries, { ...entries[0]!, ip: '203.0.113.250', names: [] }] };
    for (const grouping of ['cidr24', 'domain'] as const) {
      const report = buildSnifferReport(status, grouping);
      const chunks = [...snifferJsonChunks(report)];
      expect(chunks.join('')).toBe(JSON.stringify(snifferJsonValue(report), null, 2) + '\n');
      expect(chunks.length).toBe(Math.floor(report.order.length / 256) + 1);
    }
  });
  it('writes an empty report as the whole value would', () => {
    const report = buildSnifferReport({ header: '', table: SnifferTable.fromEntries([]) }, 'cidr24');
    expect(renderSnifferJson(report)).toBe(JSON.stringify(snifferJsonValue(report), null, 2) + '\n');
    expect(JSON.parse(renderSnifferJson(report)).groups).toEqual([]);
  });
});

describe('other formats carry the same numbers', () => {
  const report = buildSnifferReport(parseStatus(read('fixtures/formats-example.stats'), 'x'), 'cidr24');
  it('JSON', () => {
    const json = JSON.parse(renderSnifferJson(report));
    expect(json.totals).toEqual({ queriesPerMinute: 190 / 60, bytesPerSecond: 12.5, users: 3 });
    expect(json.groups[0]).toMatchObject({
      group: '198.51.100.0/24',
      bytesPerHour: 43200,
      ratePerHour: 180,
      lastContact: 1145926700,
    });
    expect(json.groups[0].ips).toEqual([
      { ip: '198.51.100.7', names: ['a.example.com'] },
      { ip: '198.51.100.9', names: ['b.example.com'] },
    ]);
  });
  it('CSV', () => {
    expect(renderSnifferCsv(report)).toBe(
      "group,qrys/mn,bytes/sec,#IP's,last contact,ips\r\n198.51.100.0/24,3,12,2,1145926700,198.51.100.7 198.51.100.9\r\n" +
        '203.0.113.0/24,0.16666666666666666,0.5,1,1145926800,203.0.113.5\r\n',
    );
  });
  it('HTML with a chart and the table', () => {
    const html = renderSnifferHtml(report, { utc: true });
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain(
      '<td>198.51.100.0/24</td><td class="n">3</td><td class="n">12</td><td class="n">2</td><td>apr 25 00:58:20</td>',
    );
    expect(html).not.toMatch(/<script|https?:\/\//);
  });
});
