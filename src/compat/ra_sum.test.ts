import { describe, expect, it } from 'vitest';
import { UsageError } from '../model/errors.js';
import { parseRaSumArguments } from './ra_sum.js';

describe('ra-sum command line', () => {
  it('reads getopt-style flags: clusters, attached and separate values', () => {
    const options = parseRaSumArguments([
      '-tib',
      '-rday.argus',
      '-e',
      '0011.2233.4455',
      '-p0',
      '-kkk',
      '-vv',
      '-SKf',
      '-T',
      '600',
    ])!;
    expect(options).toMatchObject({
      classes: true,
      addresses: true,
      binary: true,
      input: 'day.argus',
      mac: '0011.2233.4455',
      overhead: 0,
      compact: 3,
      verbose: 2,
      timeoutSeconds: 600,
      counterCacheFormat: '%r-/_Cashe_C',
      addressCacheFormat: '%r-/_Cashe_A',
      format: 'text',
      reader: 'native',
      stateless: false,
    });
  });

  it('takes the netledger long options', () => {
    const options = parseRaSumArguments([
      '--format=json',
      '--reader',
      'ra',
      '--frame-bytes',
      '--no-state',
      '--straddling',
      'prorate',
    ])!;
    expect(options).toMatchObject({
      format: 'json',
      reader: 'ra',
      overhead: 'frame',
      stateless: true,
      straddling: 'prorate',
    });
  });

  it('returns undefined for -h', () => {
    expect(parseRaSumArguments(['-h'])).toBeUndefined();
  });

  it.each([
    [['-q'], 'unknown option -q'],
    [['-r'], '-r needs a value'],
    [['-p', 'x'], "-p expects a non-negative integer, found 'x'"],
    [['--format', 'xml'], "--format must be text, json or csv, found 'xml'"],
    [['file.argus'], "unexpected argument 'file.argus'"],
  ])('refuses %j', (args, message) => {
    expect(() => parseRaSumArguments(args)).toThrow(UsageError);
    expect(() => parseRaSumArguments(args)).toThrow(message);
  });
});
