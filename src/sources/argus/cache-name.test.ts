import { describe, expect, it } from 'vitest';
import { UsageError } from '../../model/errors.js';
import { expandCacheName } from './cache-name.js';

const context = {
  mac: 0x001122aabbcc,
  inputFile: '/var/argus/2026/11/today.argus',
  // Wednesday 25 November 2026, 07:08:09 local time
  now: new Date(2026, 10, 25, 7, 8, 9),
};

describe('cache name formats', () => {
  it('expands every conversion', () => {
    expect(expandCacheName('%y %Y %M %l %м %d %D %Д %h %m %s %%', context)).toBe(
      '26 2026 11 Nov ноя 25 Wed Ср 07 08 09 %',
    );
    expect(expandCacheName('%e|%E', context)).toBe('0011:22aa:bbcc|00:11:22:aa:bb:cc');
  });

  it('trims one path component per dash after %r', () => {
    expect(expandCacheName('%r', context)).toBe('/var/argus/2026/11/today.argus');
    expect(expandCacheName('%r-/_Cashe_C', context)).toBe('/var/argus/2026/11/_Cashe_C');
    expect(expandCacheName('%r---/c', context)).toBe('/var/argus/c');
    expect(expandCacheName('%r-/c', { ...context, inputFile: 'x.argus' })).toBe('./c');
    expect(expandCacheName('%r-/c', { ...context, inputFile: undefined })).toBe('./c');
  });

  it('understands printf escapes', () => {
    expect(expandCacheName('a\\tb\\\\c', context)).toBe('a\tb\\c');
  });

  it('refuses unknown conversions', () => {
    expect(() => expandCacheName('%q', context)).toThrow(UsageError);
    expect(() => expandCacheName('%q', context)).toThrow("unknown conversion %q in cache name format '%q'");
  });
});
