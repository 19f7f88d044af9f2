/**
 * Sensor configuration: the original daemon's keys (nc.sniffer.pl's `$config` hash) plus netledger's few
 * additions, read from a file without evaluating it, then overridden by command-line flags.
 *
 * File syntax: one `key => value,` per line as in the original hash (a surrounding `my $config = {` / `};`
 * is ignored), or `key = value` / `key: value`. Values are quoted strings, numbers or `['a','b',]` lists;
 * `#` starts a comment.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ConfigError, fromFsError } from '../model/errors.js';

export interface SensorConfig {
  /** piddir: directory of `<name>.pid`. */
  piddir: string;
  /** sniffer: directory of `<name>.stats`, or `STDERR` to write dumps to stderr (the original's `-d`). */
  sniffer: string;
  /** bpf: filter expression; its first `host X` defines "me". */
  bpf: string;
  /** snaplen: bytes captured per packet; also the minimum wire length counted (the original's `len < pktlen`). */
  snaplen: number;
  match?: string;
  nomatch?: string;
  /** payload: offset from the packet start where match/nomatch look. */
  payload: number;
  /** port: UDP port of the dump listener; 0 = no listener. */
  port: number;
  /** host: listen address (name, IP, INADDR_ANY, INADDR_LOOPBACK). */
  host: string;
  /** allowed: senders allowed to request dumps. */
  allowed: string[];
  /** netledger: capture device for tcpdump -i. */
  dev: string;
  /** netledger: promiscuous capture (tcpdump without -p). */
  promisc: boolean;
  /** netledger: base name of the pid and stats files (the original used its script name). */
  name: string;
  /** netledger: name servers for PTR lookups (`ip` or `ip:port`); empty = /etc/resolv.conf. */
  dns: string[];
  /** netledger: PTR queries per second at most. */
  dnsRate: number;
  /** netledger: also dump every N seconds (0 = only on request). */
  dumpEvery: number;
  /** netledger: tcpdump program. */
  tcpdump: string;
}

export const SENSOR_DEFAULTS: SensorConfig = {
  piddir: '/var/run/nc.sniffer',
  sniffer: '/var/run/nc.sniffer',
  bpf: '',
  // ETH_HLEN + IP header + 4 bytes of ports
  snaplen: 14 + 20 + 4,
  payload: 0,
  port: 0,
  host: '127.0.0.1',
  allowed: ['127.0.0.1'],
  dev: 'any',
  promisc: false,
  name: 'nc.sniffer',
  dns: [],
  dnsRate: 20,
  dumpEvery: 0,
  tcpdump: 'tcpdump',
};

const NUMBER_KEYS = new Set(['snaplen', 'payload', 'port', 'dnsRate', 'dumpEvery']);
const LIST_KEYS = new Set(['allowed', 'dns']);
const BOOLEAN_KEYS = new Set(['promisc']);
const STRING_KEYS = new Set([
  'piddir',
  'sniffer',
  'bpf',
  'match',
  'nomatch',
  'host',
  'dev',
  'name',
  'tcpdump',
]);

function unquote(text: string): string {
  const match = /^'((?:[^'\\]|\\.)*)'$/.exec(text) ?? /^"((?:[^"\\]|\\.)*)"$/.exec(text);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : text;
}

function parseValue(raw: string): string | string[] {
  const list = /^\[(.*)\]$/.exec(raw);
  if (list) {
    return [...list[1]!.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,\s]+)/g)].map(
      (match) => match[1] ?? match[2] ?? match[3]!,
    );
  }
  return unquote(raw);
}

/** Applies one `key`/`value` to `config`, checking the type. */
export function setConfigValue(
  config: SensorConfig,
  key: string,
  value: string | string[],
  where: string,
): void {
  const target = config as unknown as Record<string, unknown>;
  if (LIST_KEYS.has(key)) {
    target[key] = Array.isArray(value) ? value : value.split(/[\s,]+/).filter((item) => item !== '');
  } else if (Array.isArray(value)) {
    throw new ConfigError(`${where}: ${key} takes one value, not a list`);
  } else if (NUMBER_KEYS.has(key)) {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 0)
      throw new ConfigError(`${where}: ${key} must be a whole number, found '${value}'`);
    target[key] = number;
  } else if (BOOLEAN_KEYS.has(key)) {
    if (!/^(1|0|true|false|yes|no)$/i.test(value))
      throw new ConfigError(`${where}: ${key} must be 1 or 0, found '${value}'`);
    target[key] = /^(1|true|yes)$/i.test(value);
  } else if (STRING_KEYS.has(key)) {
    target[key] = value;
  } else {
    throw new ConfigError(`${where}: unknown key '${key}'`);
  }
}

/** Parses config text (see the module comment). */
export function parseSensorConfig(
  text: string,
  file: string,
  base: SensorConfig = SENSOR_DEFAULTS,
): SensorConfig {
  const config: SensorConfig = { ...base, allowed: [...base.allowed], dns: [...base.dns] };
  text.split('\n').forEach((line, index) => {
    const content = line.replace(/^\s*#.*$/, '').trim();
    if (content === '' || /^(my\s+\$\w+\s*=\s*)?\{$/.test(content) || /^\};?$/.test(content)) return;
    const match = /^(\w+)\s*(?:=>|=|:)\s*(.*?)\s*,?\s*(?:#.*)?$/.exec(content);
    if (!match) {
      throw new ConfigError(`expected 'key => value', found '${content}'`, { file, line: index + 1 });
    }
    try {
      setConfigValue(config, match[1]!, parseValue(match[2]!), `${file}:${index + 1}`);
    } catch (error) {
      if (error instanceof ConfigError)
        throw new ConfigError(error.message.replace(`${file}:${index + 1}: `, ''), { file, line: index + 1 });
      throw error;
    }
  });
  return config;
}

export async function loadSensorConfig(file: string): Promise<SensorConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fromFsError(error, file);
  }
  return parseSensorConfig(text, file);
}

/** Checks the combination of values; returns the "me" host named in the BPF. */
export function validateSensorConfig(config: SensorConfig): string {
  const me = /host\s+([\w.-]+)/.exec(config.bpf)?.[1];
  if (me === undefined)
    throw new ConfigError(
      `bpf must name the sensor's own address as 'host <name-or-ip>', found '${config.bpf}'`,
    );
  if (config.snaplen > 65535) config.snaplen = 65535; // capped as in the original
  if ((config.match !== undefined || config.nomatch !== undefined) && config.payload >= config.snaplen) {
    throw new ConfigError(`payload offset ${config.payload} must be less than snaplen ${config.snaplen}`);
  }
  if (config.port > 65535) throw new ConfigError(`port ${config.port} is not a UDP port`);
  return me;
}

export function statsPath(config: SensorConfig): string {
  return join(config.sniffer, `${basename(config.name)}.stats`);
}

export function pidPath(config: SensorConfig): string {
  return join(config.piddir, `${basename(config.name)}.pid`);
}
