/**
 * The fwctl accounting reports the server shows (`/api/fwctl/summary`, `/api/fwctl/samples`): the files of
 * `--fwctl` read as `netledger fwctl` reads them, rendered as its JSON, cached per query with the seed's
 * semantics (io/cached-file.ts). Parameters mirror the command's flags: sample, start, end, period, name, utc.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { FwctlAccounting } from '../aggregate/fwctl-accounting.js';
import { NetledgerError, UsageError } from '../model/errors.js';
import { parseDateTime, parseDuration } from '../model/time.js';
import { renderFwctlReport, type FwctlReportKind } from '../report/fwctl.js';
import { FwctlReader } from '../sources/fwctl.js';
import { cachedFile, type CachedBody, type CacheSettings, type Encoding } from '../io/cached-file.js';
import type { QueryParams } from './query.js';

export interface FwctlSettings extends CacheSettings {
  files: readonly string[];
  cacheDir: string;
}

export interface FwctlQuery {
  kind: FwctlReportKind;
  sample: number;
  start?: number;
  end?: number;
  period?: number;
  names: string[];
}

export function parseFwctlQuery(kind: FwctlReportKind, params: QueryParams): FwctlQuery {
  const utc = params.utc !== undefined && params.utc !== '0' && params.utc !== 'false';
  const text = (name: string) => (params[name] === '' ? undefined : params[name]);
  const query: FwctlQuery = { kind, sample: parseDuration(text('sample') ?? '1d'), names: [] };
  const start = text('start');
  const end = text('end');
  const period = text('period');
  if (start !== undefined) query.start = parseDateTime(start, { utc });
  if (end !== undefined) query.end = parseDateTime(end, { utc });
  if (period !== undefined) query.period = parseDuration(period);
  const last =
    query.period !== undefined && query.start !== undefined ? query.start + query.period : query.end;
  if (query.start !== undefined && last !== undefined && last <= query.start)
    throw new UsageError('the report must end after it starts (check start, end and period)');
  const name = text('name');
  if (name !== undefined) query.names = name.split(',').filter((part) => part !== '');
  return query;
}

async function compute(files: readonly string[], query: FwctlQuery): Promise<string> {
  const reader = await FwctlReader.open(files, { strict: false });
  const keep = new Set(query.names);
  const accounting = new FwctlAccounting(
    {
      start: query.start,
      end: query.end,
      period: query.period,
      sample: query.sample,
      resolution: query.kind,
      keepName: keep.size === 0 ? undefined : (name) => keep.has(name),
    },
    reader.chains.names,
  );
  await reader.forEach(accounting.visit);
  return renderFwctlReport(accounting.finish(), {
    kind: query.kind,
    format: 'json',
    counters: reader.counters,
  });
}

export async function fwctlReport(
  settings: FwctlSettings,
  query: FwctlQuery,
  encoding: Encoding = 'identity',
): Promise<CachedBody> {
  if (settings.files.length === 0)
    throw new NetledgerError('NL_ERR_NOT_FOUND', 'this server has no fwctl accounting file (--fwctl)');
  const key = createHash('sha256').update(JSON.stringify(query)).digest('hex').slice(0, 16);
  return cachedFile(
    join(settings.cacheDir, `fwctl-${query.kind}-${key}.json`),
    settings,
    () => compute(settings.files, query),
    encoding,
  );
}
