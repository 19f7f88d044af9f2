/**
 * The web report of the Sniffer seed (Report.pm `web_report`, `chk_wconf`): a report for a web page,
 * kept in a cache file per report type and refreshed by age, so that many viewers cost one computation.
 *
 * Config is a JSON file with the original's keys:
 * `{ "stats": "/var/run/nc.sniffer/nc.sniffer.stats", "cache": "./tmp/sniffer.cache", "updto": 15,
 *    "refresh": 300, "update": "127.0.0.1:10004" }`.
 * Fixed against the original: without `update` a stale cache is rebuilt from the stats file (the original
 * kept serving the stale one forever), and the cache is re-checked after taking the lock, so viewers that
 * queued behind a refresh get its result instead of computing it again.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError, fromFsError } from '../model/errors.js';
import { cachedFile } from '../io/cached-file.js';
import { readStatusTable } from '../sources/sniffer/read.js';
import { parseHostPort, requestDump } from '../sources/sniffer/dump-request.js';
import { buildSnifferReport, renderSnifferTextBytes, type SnifferGrouping } from './sniffer.js';

export interface WebReportConfig {
  /** Status file the sensor writes. */
  stats: string;
  /** Cache file base name; `.0` / `.1` is appended per report type. */
  cache?: string;
  /** Seconds to wait for a dump and for the cache lock (default 15). */
  updto: number;
  /** Maximum age in seconds of the cache, or of the stats file without a cache (default 300). */
  refresh: number;
  /** Dump listener of the sensor; without it no dump is requested. */
  update?: { host: string; port: number };
}

const WEB_DEFAULTS = { updto: 15, refresh: 300 };

const isDirectoryWith = (dir: string, mode: number) => {
  try {
    if (!statSync(dir).isDirectory()) return false;
    accessSync(dir, mode);
    return true;
  } catch {
    return false;
  }
};

function digitsSetting(
  raw: Record<string, unknown>,
  key: 'updto' | 'refresh',
  message: string,
  fallback: number,
): number {
  const value = raw[key];
  if (value === undefined || value === null || value === '' || value === 0 || value === '0') return fallback;
  const text = String(value);
  if (/\D/.test(text)) throw new ConfigError(`${message}: '${text}'`);
  return Number(text);
}

/** Checks a config object the way chk_wconf does, with the same messages. */
export function checkWebConfig(raw: Record<string, unknown>): WebReportConfig {
  if (raw.stats === undefined) throw new ConfigError('required statistics file specification missing');
  const stats = String(raw.stats);
  const statsDir = stats.includes('/') ? dirname(stats) : './';
  if (!isDirectoryWith(statsDir, constants.R_OK))
    throw new ConfigError(`stats directory missing or not readable: '${statsDir}'`);
  const config: WebReportConfig = {
    stats,
    updto: digitsSetting(raw, 'updto', 'invalid characters in update timeout', WEB_DEFAULTS.updto),
    refresh: digitsSetting(raw, 'refresh', 'invalid characters in refresh', WEB_DEFAULTS.refresh),
  };
  if (raw.cache !== undefined) {
    const cache = String(raw.cache);
    const cacheDir = cache.includes('/') ? dirname(cache) : './';
    if (!isDirectoryWith(cacheDir, constants.W_OK))
      throw new ConfigError(`cache directory not writable: '${cacheDir}'`);
    config.cache = cache;
  }
  if (raw.update !== undefined && raw.update !== '') {
    try {
      config.update = parseHostPort(String(raw.update));
    } catch {
      throw new ConfigError(`invalid update specification '${String(raw.update)}'`);
    }
  }
  return config;
}

export async function loadWebConfig(path: string): Promise<WebReportConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw fromFsError(error, path);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`not valid JSON: ${(error as Error).message}`, { file: path });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('expected a JSON object with stats, cache, updto, refresh, update', { file: path });
  }
  try {
    return checkWebConfig(raw as Record<string, unknown>);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.message, { file: path });
    throw error;
  }
}

async function renderFromStats(
  config: WebReportConfig,
  grouping: SnifferGrouping,
  utc: boolean,
): Promise<Buffer> {
  return renderSnifferTextBytes(buildSnifferReport(await readStatusTable(config.stats), grouping), { utc });
}

/**
 * The report text (latin1 bytes) for `grouping`, from the cache when fresh, else rebuilt (after a dump
 * when configured).
 */
export async function webReport(
  config: WebReportConfig,
  grouping: SnifferGrouping,
  options: { utc?: boolean } = {},
): Promise<Buffer> {
  const utc = options.utc ?? false;
  const dump = async (maxAgeSeconds?: number) => {
    if (config.update === undefined) return;
    await requestDump({
      ...config.update,
      statsFile: config.stats,
      timeoutSeconds: config.updto,
      ...(maxAgeSeconds === undefined ? {} : { maxAgeSeconds }),
    });
  };
  if (config.cache === undefined) {
    await dump(config.refresh);
    return renderFromStats(config, grouping, utc);
  }
  const cacheFile = `${config.cache}.${grouping === 'domain' ? 1 : 0}`;
  // The original's cache: its age by ctime, its lock `<cache>.tmp.lock`, no gzip copy.
  const cached = await cachedFile(
    cacheFile,
    {
      refreshSeconds: config.refresh,
      lockSeconds: config.updto,
      lockFile: `${cacheFile}.tmp.lock`,
      gzipCopy: false,
      clock: 'ctime',
    },
    async () => {
      await dump();
      return renderFromStats(config, grouping, utc);
    },
  );
  return cached.bytes;
}
