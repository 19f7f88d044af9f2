import { describe, expect, it } from 'vitest';
import { renderTabular, toJson, type Column } from './tabular.js';

const columns: Column[] = [
  { key: 'name', title: 'Name' },
  { key: 'bytes', title: 'Bytes', numeric: true },
];
const rows = [
  { name: 'web, "main"', bytes: 2n ** 60n },
  { name: 'mail', bytes: 12 },
];

describe('renderTabular', () => {
  it('writes RFC 4180 CSV', () => {
    expect(renderTabular('csv', columns, rows)).toBe(
      'Name,Bytes\r\n"web, ""main""",1152921504606846976\r\nmail,12\r\n',
    );
  });
  it('keeps bigint exact in JSON (string past 2^53)', () => {
    expect(renderTabular('ndjson', columns, rows)).toBe(
      '{"name":"web, \\"main\\"","bytes":"1152921504606846976"}\n{"name":"mail","bytes":12}\n',
    );
    expect(toJson({ n: 5n })).toBe('{"n":5}');
  });
  it('aligns text columns, numbers to the right', () => {
    expect(renderTabular('text', columns, rows)).toBe(
      'Name                       Bytes\nweb, "main"  1152921504606846976\nmail                          12\n',
    );
  });
  it('writes an HTML page: the extra fields, a chart of the rows, the table with exact numbers', () => {
    const html = renderTabular(
      'html',
      columns,
      rows,
      { by: 'name', counters: { read: 2 } },
      {
        title: 'Top <by> name',
        chart: { kind: 'bars', label: 'name', value: 'bytes', unit: 'B' },
      },
    );
    expect(html).toContain('<title>Top &#60;by&#62; name</title>');
    expect(html).toContain('<p><b>by</b> name &middot; <b>counters</b> {&#34;read&#34;:2}</p>');
    expect(html).toContain(
      '<table><thead><tr><th>Name</th><th>Bytes</th></tr></thead>\n<tbody>\n' +
        '<tr><td>web, &#34;main&#34;</td><td class="n">1152921504606846976</td></tr>\n' +
        '<tr><td>mail</td><td class="n">12</td></tr>\n</tbody></table>',
    );
    expect([...html.matchAll(/<rect [^>]*width="(\d+)"/g)].map((match) => Number(match[1]))).toEqual([
      520, 1,
    ]);
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('draws series in time order whatever the row order, summing rows of the same point', () => {
    const html = renderTabular(
      'html',
      [{ key: 't' }, { key: 'k' }, { key: 'v', numeric: true }],
      [
        { t: 7200, k: 'b', v: 10 },
        { t: 3600, k: 'a', v: 20 },
        { t: 3600, k: 'a', v: 20 },
        { t: 7200, k: 'a', v: 0 },
      ],
      {},
      { chart: { kind: 'lines', x: 't', xEpoch: true, series: 'k', value: 'v', unit: 'B' } },
    );
    expect([...html.matchAll(/points="([^"]*)"/g)].map((match) => match[1])).toEqual([
      '740.0,190.0', // b: 10 of the largest point's 40 (a at 01:00, its two rows summed)
      '70.0,10.0 740.0,250.0',
    ]);
    expect(html).toContain('>1970-01-01T01:00Z</text>');
    expect(html).toContain('>1970-01-01T02:00Z</text>');
  });
});
