import { describe, expect, it } from 'vitest';
import { afterEach } from 'vitest';
import {
  MonthDayTimeFormatter,
  formatCtime,
  formatMonthDayTime,
  parseDateTime,
  parseDuration,
} from './time.js';

describe('legacy time formats', () => {
  it('formats my_time as "mon dd hh:mm:ss"', () => {
    expect(formatMonthDayTime(1145926700, true)).toBe('apr 25 00:58:20');
    expect(formatMonthDayTime(1145926700.9, true)).toBe('apr 25 00:58:20');
  });
  it('formats scalar localtime', () => {
    expect(formatCtime(1145923212, true)).toBe('Tue Apr 25 00:00:12 2006');
    expect(formatCtime(954583200, true)).toBe('Sat Apr  1 10:00:00 2000');
  });
});

describe('MonthDayTimeFormatter', () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
  // Zones with whole-hour, half-hour and 45-minute offsets, DST changes, and (Monrovia until 1972,
  // -00:44:30) an offset of odd minutes and seconds, where quarters are not plain and each epoch is exact.
  const zones = ['UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu', 'Africa/Monrovia'];
  const starts = [1145926700, 1711846800 - 1800, 1730595600 - 1800, 31536000, 63590400 - 1800];
  for (const zone of zones) {
    it(`formats every second as formatMonthDayTime does (TZ=${zone})`, () => {
      process.env.TZ = zone;
      const formatter = new MonthDayTimeFormatter();
      for (const start of starts) {
        for (let epoch = start; epoch < start + 3600; epoch += 7) {
          expect(formatter.format(epoch)).toBe(formatMonthDayTime(epoch));
        }
      }
      expect(new MonthDayTimeFormatter(true).format(1145926700.9)).toBe('apr 25 00:58:20');
    });
  }
});

describe('parseDuration', () => {
  it('reads units, combinations and bare units', () => {
    expect(parseDuration('1d')).toBe(86400);
    expect(parseDuration('1h')).toBe(3600);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('2 weeks 3 hours')).toBe(2 * 604800 + 3 * 3600);
    expect(parseDuration('1 week 2 days 3 hours 4 mins 5 secs')).toBe(
      604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5,
    );
    expect(parseDuration('day')).toBe(86400);
    expect(parseDuration('hour')).toBe(3600);
    expect(parseDuration('1h30m')).toBe(5400);
  });
  it('names what it expected on bad input', () => {
    expect(() => parseDuration('fortnight')).toThrow(/invalid duration 'fortnight'/);
    expect(() => parseDuration('3 lightyears')).toThrow(/invalid duration/);
    expect(() => parseDuration('')).toThrow(/invalid duration/);
  });
});

describe('parseDateTime', () => {
  const now = new Date(Date.UTC(2026, 10, 25, 12, 0, 0));
  it('reads the ISO-like subsets in UTC', () => {
    expect(parseDateTime('2000-04-01 10:00:00', { utc: true })).toBe(954583200);
    expect(parseDateTime('2000-04-01 10:00', { utc: true })).toBe(954583200);
    expect(parseDateTime('2000-04-01', { utc: true })).toBe(954547200);
    expect(parseDateTime('2000-12-01', { utc: true })).toBe(975628800); // December stays December
    expect(parseDateTime('08:30', { utc: true, now })).toBe(Date.UTC(2026, 10, 25, 8, 30) / 1000);
    expect(parseDateTime('954583200')).toBe(954583200);
  });
  it('reads natural forms relative to now', () => {
    expect(parseDateTime('2 days ago', { utc: true, now })).toBe(Date.UTC(2026, 10, 23, 12, 0) / 1000);
    expect(parseDateTime('yesterday', { utc: true, now })).toBe(Date.UTC(2026, 10, 24, 12, 0) / 1000);
  });
  it('rejects nonsense with the expected forms', () => {
    expect(() => parseDateTime('not a date')).toThrow(/invalid date 'not a date': expected YYYY-MM-DD/);
    expect(() => parseDateTime('2000-13-01')).toThrow(/out of range/);
  });
});
