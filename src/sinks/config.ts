/**
 * Transport settings from tstat_send's INI file, validated with the original's rules and messages
 * (tstat_transport 0.6.5 `common.py`, `transport.py`): a `[<transport>]` stanza with `host` and an integer
 * `port`; for `rabbit` also `username`, `password`, `use_ssl`, `vhost`, `queue`, `routing_key` and
 * `exchange` (which may be empty); optional `[rabbit_queue_options]` and `[ssl_options]`.
 */
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { ConfigError, fromFsError } from '../model/errors.js';
import type { IniDocument } from '../io/ini.js';
import { parseIni, parseIniBoolean } from '../io/ini.js';
import { pyParseInt } from '../report/python-json.js';

export const TRANSPORTS = ['rabbit', 'http', 'stdout'] as const;
export type TransportName = (typeof TRANSPORTS)[number];

export interface RabbitQueueOptions {
  durable?: boolean;
  exclusive?: boolean;
  autoDelete?: boolean;
  arguments?: Record<string, string | number>;
}

export interface RabbitTlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  /** Verify the broker's certificate (default true). */
  verify: boolean;
}

export interface RabbitSettings {
  host: string;
  port: number;
  username: string;
  password: string;
  useSsl: boolean;
  vhost: string;
  queue: string;
  routingKey: string;
  exchange: string;
  queueOptions: RabbitQueueOptions;
  tls: RabbitTlsOptions;
  /** Reconnect attempts after a dropped connection (optional key `reconnect_attempts`, default 5). */
  reconnectAttempts: number;
  /** First back-off delay in ms, doubled per attempt (optional key `reconnect_delay_ms`, default 500). */
  reconnectDelayMs: number;
  /** How long to wait for the broker's confirms of a directory (optional `confirm_timeout`, s, default 60). */
  confirmTimeoutMs: number;
}

export interface HttpSettings {
  url: string;
  token?: string;
  retries: number;
  retryDelayMs: number;
  timeoutMs: number;
}

export async function readIniFile(file: string): Promise<IniDocument> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fromFsError(error, file);
  }
  return parseIni(text, file);
}

/** The original's `_validate_config`: the stanza, host and port, a resolvable host. */
export async function validateTransportStanza(ini: IniDocument, transport: string): Promise<void> {
  const file = ini.file;
  if (!ini.hasSection(transport)) {
    // The original's text, double space included.
    throw new ConfigError(
      `${transport} selected as transport, but no  [${transport}] stanza in config ${file}`,
    );
  }
  const host = ini.get(transport, 'host');
  const port = ini.get(transport, 'port');
  if (host === undefined || port === undefined) {
    throw new ConfigError(`"port" and "host" are required in [${transport}] config stanza`, { file });
  }
  try {
    await lookup(host);
  } catch {
    throw new ConfigError(`${host} is not a valid hostname`, { file });
  }
  if (typeof pyParseInt(port) !== 'number') {
    throw new ConfigError(`port ${port} is not a valid integer`, { file });
  }
}

function required(ini: IniDocument, transport: string, key: string): string {
  const value = ini.get(transport, key);
  if (value === undefined) {
    throw new ConfigError(`[${key}] is a required config value for transport [${transport}]`, {
      file: ini.file,
    });
  }
  return value;
}

function optionalNumber(ini: IniDocument, section: string, key: string, fallback: number): number {
  const value = ini.get(section, key);
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) {
    throw new ConfigError(`[${section}] ${key} must be a non-negative number, found "${value}"`, {
      file: ini.file,
    });
  }
  return number;
}

function booleanOption(ini: IniDocument, section: string, key: string): boolean {
  const value = ini.get(section, key) ?? '';
  const parsed = parseIniBoolean(value);
  if (parsed === undefined) {
    throw new ConfigError(`[${section}] ${key} must be true or false, found "${value}"`, { file: ini.file });
  }
  return parsed;
}

function queueOptions(ini: IniDocument): RabbitQueueOptions {
  const section = 'rabbit_queue_options';
  const options: RabbitQueueOptions = {};
  for (const key of ini.keys(section)) {
    if (key === 'durable') options.durable = booleanOption(ini, section, key);
    else if (key === 'exclusive') options.exclusive = booleanOption(ini, section, key);
    else if (key === 'auto_delete') options.autoDelete = booleanOption(ini, section, key);
    else if (key.startsWith('x-')) {
      const value = ini.get(section, key) ?? '';
      options.arguments ??= {};
      options.arguments[key] = /^-?\d+$/.test(value) ? Number(value) : value;
    } else {
      throw new ConfigError(
        `[${section}] ${key} is not a queue option (durable, exclusive, auto_delete or x-… arguments)`,
        { file: ini.file },
      );
    }
  }
  return options;
}

function tlsOptions(ini: IniDocument): RabbitTlsOptions {
  const section = 'ssl_options';
  const get = (...names: string[]): string | undefined => {
    for (const name of names) {
      const value = ini.get(section, name);
      if (value !== undefined && value !== '') return value;
    }
    return undefined;
  };
  const tls: RabbitTlsOptions = { verify: true };
  const ca = get('ca', 'ca_certs');
  const cert = get('cert', 'certfile');
  const key = get('key', 'keyfile');
  if (ca !== undefined) tls.ca = ca;
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  const verify = get('verify');
  if (verify !== undefined) tls.verify = booleanOption(ini, section, 'verify');
  // Python ssl.wrap_socket's spelling: cert_reqs = CERT_NONE turns verification off.
  if (get('cert_reqs')?.toUpperCase() === 'CERT_NONE') tls.verify = false;
  return tls;
}

/** `[rabbit]` settings; a missing key fails with the original's message naming it. */
export async function rabbitSettings(ini: IniDocument): Promise<RabbitSettings> {
  const transport = 'rabbit';
  await validateTransportStanza(ini, transport);
  const username = required(ini, transport, 'username');
  const password = required(ini, transport, 'password');
  const useSsl = parseIniBoolean(required(ini, transport, 'use_ssl'));
  if (useSsl === undefined) {
    throw new ConfigError(`[use_ssl] is a required config value for transport [${transport}]`, {
      file: ini.file,
    });
  }
  return {
    host: required(ini, transport, 'host'),
    port: Number(pyParseInt(required(ini, transport, 'port'))),
    username,
    password,
    useSsl,
    vhost: required(ini, transport, 'vhost'),
    queue: required(ini, transport, 'queue'),
    exchange: required(ini, transport, 'exchange'),
    routingKey: required(ini, transport, 'routing_key'),
    queueOptions: queueOptions(ini),
    tls: tlsOptions(ini),
    reconnectAttempts: optionalNumber(ini, transport, 'reconnect_attempts', 5),
    reconnectDelayMs: optionalNumber(ini, transport, 'reconnect_delay_ms', 500),
    confirmTimeoutMs: optionalNumber(ini, transport, 'confirm_timeout', 60) * 1000,
  };
}

/** `[http]`: `url` (required), `token`, `retries` (3), `retry_delay_ms` (500), `timeout` (s, 30). */
export function httpSettings(ini: IniDocument): HttpSettings {
  const transport = 'http';
  if (!ini.hasSection(transport)) {
    throw new ConfigError(
      `${transport} selected as transport, but no  [${transport}] stanza in config ${ini.file}`,
    );
  }
  const url = required(ini, transport, 'url');
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`[http] url "${url}" is not a URL`, { file: ini.file });
  }
  const token = ini.get(transport, 'token');
  return {
    url,
    ...(token ? { token } : {}),
    retries: optionalNumber(ini, transport, 'retries', 3),
    retryDelayMs: optionalNumber(ini, transport, 'retry_delay_ms', 500),
    timeoutMs: optionalNumber(ini, transport, 'timeout', 30) * 1000,
  };
}
