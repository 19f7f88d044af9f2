import { describe, expect, it } from 'vitest';
import { formatFixed0, formatFixed0Width } from './perl-format.js';

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
