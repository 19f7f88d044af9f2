import { describe, expect, it } from 'vitest';
import { formatFixed0, formatFixed0Width, writeFixed0 } from './perl-format.js';

describe('formatFixed0 (printf %.0f)', () => {
  it('rounds exact ties to even, as glibc does', () => {
    expect(formatFixed0(12.5)).toBe('12');
    expect(formatFixed0(13.5)).toBe('14');
    expect(formatFixed0(0.5)).toBe('0');
    expect(formatFixed0(1.5)).toBe('2');
    expect(formatFixed0(-2.5)).toBe('-2');
  });
  it('rounds non-ties to nearest', () => {
    expect(formatFixed0(3.1666)).toBe('3');
    expect(formatFixed0(2.5000001)).toBe('3');
    expect(formatFixed0(0.49999999999999994)).toBe('0');
    expect(formatFixed0(-0.4)).toBe('-0');
    expect(formatFixed0(1e22)).toBe('10000000000000000000000');
  });
  it('pads to a width', () => {
    expect(formatFixed0Width(3, 6)).toBe('     3');
    expect(formatFixed0Width(1234567, 6)).toBe('1234567');
  });
});

describe('writeFixed0', () => {
  const written = (value: number, width = 0) => {
    const out = new Uint8Array(400);
    return Buffer.from(out.subarray(0, writeFixed0(out, 0, value, width))).toString('latin1');
  };
  it('writes the same text as formatFixed0Width, fast path and fallback alike', () => {
    const values = [
      0,
      -0,
      0.5,
      1.5,
      2.5,
      12.5,
      13.5,
      9.5,
      99.5,
      999999.5,
      3.1666,
      2 ** 53 - 1,
      2 ** 53,
      2 ** 53 + 2,
      1e21,
      1e300,
      -1,
      -2.5,
      -1e22,
      0.49999999999999994,
      NaN,
      Infinity,
      -Infinity,
      123456789012.49,
    ];
    for (const value of values) {
      for (const width of [0, 6]) expect(written(value, width)).toBe(formatFixed0Width(value, width));
    }
  });
  it('agrees with formatFixed0 on many seeded values', () => {
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      const value = (x / 7) * (i % 3 === 0 ? 1 : i % 3 === 1 ? 1 / 3600 : 1 / 60);
      expect(written(value)).toBe(formatFixed0(value));
    }
  });
});
