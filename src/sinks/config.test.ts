import { describe, expect, it } from 'vitest';
import { parseIni } from '../io/ini.js';
import type { NetledgerError } from '../model/errors.js';
import { LOCAL_RABBIT, rabbitConfigText } from '../../test/tstat/broker.js';
import { httpSettings, rabbitSettings } from './config.js';

const FULL = LOCAL_RABBIT;

const ini = (settings: Record<string, string>, tail = '') =>
  parseIni(rabbitConfigText(settings, tail), 'config.ini');

async function message(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as NetledgerError).describe();
  }
  return 'no error';
}

describe('[rabbit] settings with the original messages', () => {
  it('reads every key, queue options and TLS options', async () => {
    const settings = await rabbitSettings(
      ini(
        { ...FULL, use_ssl: 'yes' },
        '[rabbit_queue_options]\ndurable = True\nx-max-length = 10\n[ssl_options]\nca_certs = /ca.pem\ncert_reqs = CERT_NONE\n',
      ),
    );
    expect(settings).toMatchObject({
      host: '127.0.0.1',
      port: 5672,
      useSsl: true,
      exchange: '',
      queueOptions: { durable: true, arguments: { 'x-max-length': 10 } },
      tls: { ca: '/ca.pem', verify: false },
    });
  });

  it('names the missing key as the original does', async () => {
    for (const key of ['username', 'password', 'use_ssl', 'vhost', 'queue', 'routing_key', 'exchange']) {
      const settings: Record<string, string> = { ...FULL };
      delete settings[key];
      expect(await message(rabbitSettings(ini(settings)))).toBe(
        `[${key}] is a required config value for transport [rabbit] (config.ini)`,
      );
    }
    const noPort: Record<string, string> = { ...FULL };
    delete noPort.port;
    expect(await message(rabbitSettings(ini(noPort)))).toBe(
      '"port" and "host" are required in [rabbit] config stanza (config.ini)',
    );
    expect(await message(rabbitSettings(ini({ ...FULL, port: 'amqp' })))).toBe(
      'port amqp is not a valid integer (config.ini)',
    );
    expect(await message(rabbitSettings(ini({ ...FULL, host: 'no-such-host.invalid' })))).toBe(
      'no-such-host.invalid is not a valid hostname (config.ini)',
    );
    expect(await message(rabbitSettings(parseIni('[http]\nurl = http://x\n', '/etc/c.ini')))).toBe(
      'rabbit selected as transport, but no  [rabbit] stanza in config /etc/c.ini',
    );
  });

  it('[http] needs a url', () => {
    expect(httpSettings(parseIni('[http]\nurl = http://127.0.0.1:1/in\ntoken = t\n'))).toMatchObject({
      url: 'http://127.0.0.1:1/in',
      token: 't',
      retries: 3,
    });
    expect(() => httpSettings(parseIni('[http]\ntoken = t\n', 'c.ini'))).toThrow(
      '[url] is a required config value for transport [http]',
    );
  });
});
