import { describe, expect, it } from 'vitest';
import { escapeHtml, formatQuantity, svgBarChart, svgLineChart } from './html.js';

describe('HTML report parts', () => {
  it('escapes what would break out of text or an attribute', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });

  it('labels quantities with SI prefixes, one decimal', () => {
    expect(
      [0, 12, 999, 1000, 99_166, 1_500_000, 29_316_691_909, 2 ** 60].map((v) => formatQuantity(v, 'B')),
    ).toEqual(['0 B', '12 B', '999 B', '1.0 kB', '99.2 kB', '1.5 MB', '29.3 GB', '1152.9 PB']);
    expect(formatQuantity(0.5, 'B/s')).toBe('0.5 B/s');
  });

  it('draws bars in proportion to the largest value, at least one pixel', () => {
    const svg = svgBarChart(
      [
        { label: 'a<b', value: 200 },
        { label: 'c', value: 50 },
        { label: 'd', value: 0 },
      ],
      'B',
    );
    expect([...svg.matchAll(/<rect [^>]*width="(\d+)"/g)].map((match) => Number(match[1]))).toEqual([
      520, 130, 1,
    ]);
    expect(svg).toContain('>a&#60;b</text>');
    expect(svg).toContain('>200 B</text>');
  });

  it('draws one polyline per series over evenly spaced x positions, leaving gaps out', () => {
    const svg = svgLineChart(
      ['10:00', '11:00', '12:00'],
      [
        { name: 'web', values: [100, 50, 0] },
        { name: 'mail', values: [Number.NaN, 100, Number.NaN] },
      ],
      'B',
    );
    const lines = [...svg.matchAll(/points="([^"]*)"/g)].map((match) => match[1]);
    expect(lines).toEqual(['70.0,10.0 405.0,130.0 740.0,250.0', '405.0,10.0']);
    expect(svg).toContain('>10:00</text>');
    expect(svg).toContain('>12:00</text>');
    expect(svg).toContain('>mail</text>');
  });
});
