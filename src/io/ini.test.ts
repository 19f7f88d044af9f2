import { describe, expect, it } from 'vitest';
import { ConfigError } from '../model/errors.js';
import { parseIni, parseIniBoolean } from './ini.js';

describe('INI (configparser rules)', () => {
  it('reads the example config of tstat_transport', () => {
    const ini = parseIni(
      '[rabbit]\n# host/port are required\nhost = localhost\nport = 5671\nUserName = esnet\n' +
        'use_ssl = True\nexchange =\n\n; optional\n[rabbit_queue_options]\n\n[ssl_options]\n',
      'config.ini',
    );
    expect(ini.get('rabbit', 'host')).toBe('localhost');
    expect(ini.get('rabbit', 'port')).toBe('5671');
    expect(ini.get('rabbit', 'username')).toBe('esnet');
    expect(ini.get('rabbit', 'exchange')).toBe('');
    expect(ini.get('rabbit', 'vhost')).toBeUndefined();
    expect(ini.hasSection('ssl_options')).toBe(true);
    expect(ini.keys('rabbit_queue_options')).toEqual([]);
  });

  it('colon delimiters, continuation lines, DEFAULT, interpolation and %%', () => {
    const ini = parseIni(
      '[DEFAULT]\nbase = /etc/tls\n[s]\nca: %(base)s/ca.pem\npassword = 50%%\nlong = a\n  b\n',
    );
    expect(ini.get('s', 'ca')).toBe('/etc/tls/ca.pem');
    expect(ini.get('s', 'password')).toBe('50%');
    expect(ini.get('s', 'long')).toBe('a\nb');
    expect(ini.keys('s')).toEqual(['ca', 'password', 'long', 'base']);
  });

  it('malformed files fail with the file and line', () => {
    const fail = (text: string) => {
      try {
        parseIni(text, 'c.ini');
      } catch (error) {
        return (error as ConfigError).describe();
      }
      return 'no error';
    };
    expect(fail('host = x\n')).toBe('expected a [section] header first (c.ini:1)');
    expect(fail('[a]\njunk\n')).toBe('expected "key = value", found "junk" (c.ini:2)');
    expect(fail('[a]\nk = 1\nk = 2\n')).toBe('[a] sets "k" twice (c.ini:3)');
    expect(() => parseIni('[a]\np = 5%x\n').get('a', 'p')).toThrow(ConfigError);
  });

  it("booleans as Python's getboolean", () => {
    expect(['1', 'yes', 'True', 'on'].map(parseIniBoolean)).toEqual([true, true, true, true]);
    expect(['0', 'no', 'FALSE', 'off'].map(parseIniBoolean)).toEqual([false, false, false, false]);
    expect(parseIniBoolean('maybe')).toBeUndefined();
  });
});
