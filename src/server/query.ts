/**
 * Query parameters of `/api/top` and `/api/series`, named as the flags of `netledger top` / `series`:
 * `by`, `since`, `until`, `utc`, `limit`, `bin`. Bad values are usage errors (HTTP 400).
 */
import { parseGroupBy, type GroupBy } from '../aggregate/keys.js';
import { UsageError } from '../model/errors.js';
import { parseDateTime, parseDuration } from '../model/time.js';

export type QueryParams = Record<string, string | undefined>;

export interface ViewParams {
  by: GroupBy;
  since?: number;
  until?: number;
  limit?: number;
}

function single(params: QueryParams, name: string): string | undefined {
  const value = params[name];
  if (Array.isArray(value)) throw new UsageError(`parameter '${name}' given more than once`);
  return value === '' ? undefined : value;
}

export function parseCount(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`invalid ${name} '${text}': expected a positive integer`);
  return Number(text);
}

export function parseViewParams(params: QueryParams): ViewParams {
  const byText = single(params, 'by');
  if (byText === undefined) throw new UsageError("missing parameter 'by'");
  const utcText = single(params, 'utc');
  const utc = utcText !== undefined && utcText !== '0' && utcText !== 'false';
  const view: ViewParams = { by: parseGroupBy(byText) };
  const sinceText = single(params, 'since');
  const untilText = single(params, 'until');
  if (sinceText !== undefined) view.since = parseDateTime(sinceText, { utc });
  if (untilText !== undefined) view.until = parseDateTime(untilText, { utc });
  if (view.since !== undefined && view.until !== undefined && view.until <= view.since)
    throw new UsageError(`until (${untilText}) is not after since (${sinceText})`);
  const limit = parseCount(single(params, 'limit'), 'limit');
  if (limit !== undefined) view.limit = limit;
  return view;
}

/** Bin widths `bin=auto` chooses from: the smallest giving at most {@link AUTO_BINS} bins. */
const NICE_BINS = [60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400];
export const AUTO_BINS = 120;

export function autoBin(spanSeconds: number): number {
  return NICE_BINS.find((width) => spanSeconds / width <= AUTO_BINS) ?? NICE_BINS[NICE_BINS.length - 1]!;
}

/** The bin width in seconds, or `auto` (decided later from the window). */
export function parseBin(params: QueryParams): number | 'auto' {
  const text = single(params, 'bin');
  if (text === undefined) throw new UsageError("missing parameter 'bin'");
  if (text === 'auto') return 'auto';
  const seconds = parseDuration(text);
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new UsageError(`invalid bin '${text}': whole seconds only`);
  return seconds;
}
