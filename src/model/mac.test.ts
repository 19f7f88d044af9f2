import { describe, expect, it } from 'vitest';
import { formatMac, formatMacGroupsOfFour, parseMac } from './mac.js';

describe('parseMac', () => {
  it('accepts the colon, dash, dotted and bare spellings in any case', () => {
    for (const text of [
      '00:11:22:33:44:55',
      '00-11-22-33-44-55',
      '0011.2233.4455',
      '0011:2233:4455',
      '001122334455',
      ' 0:11:22:33:44:55 ',
    ]) {
      expect(parseMac(text)).toBe(0x001122334455);
    }
    expect(parseMac('AA:bb:CC:dd:EE:ff')).toBe(0xaabbccddeeff);
  });

  it('refuses mixed separators, short and long forms', () => {
    for (const text of [
      '00:11-22:33:44:55',
      '00:11:22:33:44',
      '00:11:22:33:44:55:66',
      'zz:11:22:33:44:55',
      '',
    ]) {
      expect(parseMac(text)).toBeUndefined();
    }
  });
});

describe('formatMac', () => {
  it('prints the colon form and the %e form in lower case', () => {
    expect(formatMac(0xaabbccddeeff)).toBe('aa:bb:cc:dd:ee:ff');
    expect(formatMac(0x11)).toBe('00:00:00:00:00:11');
    expect(formatMacGroupsOfFour(0x001122334455)).toBe('0011:2233:4455');
  });
});
