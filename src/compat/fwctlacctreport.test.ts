import { describe, expect, it } from 'vitest';
import { dateOption } from '../cli/fwctl-run.js';
import { parseArgs } from './fwctlacctreport.js';

describe('fwctlacctreport flags, as Getopt::Long reads them', () => {
  it('takes unique prefixes, =values, one dash, any case, repeats, and files anywhere', () => {
    expect(
      parseArgs([
        'a',
        '--rep',
        'pack',
        '-REPORT=bytes',
        '--name',
        'web',
        '--names=mail',
        '--st',
        'x',
        '-',
        'b',
      ]),
    ).toEqual({
      single: { start: 'x' },
      names: ['web', 'mail'],
      reports: ['pack', 'bytes'],
      help: false,
      files: ['a', '-', 'b'],
    });
  });
  it('ends options at --', () => {
    expect(parseArgs(['--', '--help']).files).toEqual(['--help']);
  });
  it('rejects ambiguous and unknown options and a missing value', () => {
    expect(() => parseArgs(['--s', '1'])).toThrow(
      'option s is ambiguous (start, sample); run with --help for usage',
    );
    expect(() => parseArgs(['--reports', 'summary'])).toThrow(
      'unknown option: reports (run with --help for usage)',
    );
    expect(() => parseArgs(['--period'])).toThrow('option period requires an argument');
  });
  it('reads December as December (the original reads month 12 as January)', () => {
    expect(dateOption('--start', '2000-12-01 10:00', true)).toBe(Date.UTC(2000, 11, 1, 10) / 1000);
  });
  it('names the option of an unparsable date or duration', () => {
    expect(() => dateOption('--end', 'the 32nd', true)).toThrow(/^--end: invalid date 'the 32nd'/);
  });
});
