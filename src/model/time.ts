/**
 * Time values: epoch formatting the legacy tools use, durations and dates as operators type them.
 */
import { createRequire } from 'node:module';
import type * as Chrono from 'chrono-node';
import { UsageError } from './errors.js';

let chronoModule: typeof Chrono | undefined;
/** chrono-node, loaded on the first natural-language date: a fifth of a second no other input needs. */
function chrono(): typeof Chrono {
  chronoModule ??= createRequire(import.meta.url)('chrono-node') as typeof Chrono;
  return chronoModule;
}

const MONTHS_LOWER = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value));

/**
 * The Sniffer report's `my_time`: `mon dd hh:mm:ss` with a lower-case month, in local time (TZ is honoured
 * because Node's Date follows it). `utc` switches to UTC.
 */
export function formatMonthDayTime(epochSeconds: number, utc = false): string {
  const date = new Date(Math.trunc(epochSeconds) * 1000);
  const month = utc ? date.getUTCMonth() : date.getMonth();
  const day = utc ? date.getUTCDate() : date.getDate();
  const hours = utc ? date.getUTCHours() : date.getHours();
  const minutes = utc ? date.getUTCMinutes() : date.getMinutes();
  const seconds = utc ? date.getUTCSeconds() : date.getSeconds();
  return `${MONTHS_LOWER[month]} ${pad2(day)} ${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}`;
}

/** Seconds in one quarter of an hour: every UTC offset in use today is a whole number of them. */
const QUARTER = 900;

/**
 * `formatMonthDayTime` for many epochs (a report's hundreds of thousands of last-contact times). The
 * calendar work is done once per quarter of an hour: within a quarter that starts on a local :00, :15,
 * :30 or :45 and keeps one UTC offset to its end, the local time is the quarter's start plus the seconds
 * into it. Quarters that do not (an offset of odd minutes, a change of offset inside) are formatted one
 * epoch at a time, exactly.
 */
export class MonthDayTimeFormatter {
  /** Per quarter: its start as `mon dd hh:` and minute, or null to format each epoch on its own. */
  readonly #quarters = new Map<number, { hour: string; minute: number } | null>();

  constructor(readonly utc = false) {}

  format(epochSeconds: number): string {
    const epoch = Math.trunc(epochSeconds);
    const quarter = Math.floor(epoch / QUARTER);
    let start = this.#quarters.get(quarter);
    if (start === undefined) this.#quarters.set(quarter, (start = this.#quarterStart(quarter * QUARTER)));
    if (start === null) return formatMonthDayTime(epoch, this.utc);
    const into = epoch - quarter * QUARTER;
    return start.hour + TWO_DIGITS[start.minute + Math.floor(into / 60)]! + ':' + TWO_DIGITS[into % 60]!;
  }

  #quarterStart(start: number): { hour: string; minute: number } | null {
    const first = formatMonthDayTime(start, this.utc);
    const last = formatMonthDayTime(start + QUARTER - 1, this.utc);
    const minute = Number(first.slice(10, 12));
    const plain =
      first.endsWith(':00') &&
      minute % 15 === 0 &&
      last.slice(0, 10) === first.slice(0, 10) &&
      last.slice(10) === `${pad2(minute + 14)}:59`;
    return plain ? { hour: first.slice(0, 10), minute } : null;
  }
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, value) => pad2(value));

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ISO 8601 in UTC, whole seconds as `2026-11-18T07:05:00Z` (milliseconds only when there are any). */
export function formatIsoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Perl's `scalar localtime(epoch)`: `Mon Apr 24 17:00:12 2006` (day of month space-padded). */
export function formatCtime(epochSeconds: number, utc = false): string {
  const date = new Date(Math.trunc(epochSeconds) * 1000);
  const get = utc
    ? [
        date.getUTCDay(),
        date.getUTCMonth(),
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
        date.getUTCFullYear(),
      ]
    : [
        date.getDay(),
        date.getMonth(),
        date.getDate(),
        date.getHours(),
        date.getMinutes(),
        date.getSeconds(),
        date.getFullYear(),
      ];
  const [weekday, month, day, hours, minutes, seconds, year] = get as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const dayText = day < 10 ? ` ${day}` : String(day);
  return `${DAY_NAMES[weekday]} ${MONTH_NAMES[month]} ${dayText} ${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)} ${year}`;
}

const DURATION_UNITS: Record<string, number> = {
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  h: 3_600,
  hr: 3_600,
  hrs: 3_600,
  hour: 3_600,
  hours: 3_600,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
};

/**
 * Parses a duration into seconds: `90` (seconds), `1d`, `5m`, `1h30m`, `2 weeks 3 hours`, `day`, `hour`.
 * A bare unit means one of it, as fwctlacctreport's `--sample day` does.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (trimmed in DURATION_UNITS) return DURATION_UNITS[trimmed]!;
  const term = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*,?\s*/gy;
  let total = 0;
  let consumed = 0;
  for (let match = term.exec(trimmed); match !== null; match = term.exec(trimmed)) {
    const unit = DURATION_UNITS[match[2]!];
    if (unit === undefined) break;
    total += Number(match[1]) * unit;
    consumed = term.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length || total <= 0) {
    throw new UsageError(`invalid duration '${text}': expected e.g. 1d, 1h, 30m, '2 weeks 3 hours'`);
  }
  return total;
}

const ISO_LIKE =
  /^(?:(\d{4})-)?(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$|^(\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Parses a date as operators type it into epoch seconds: `YYYY-MM-DD HH:MM:SS` and its subsets
 * (`MM-DD`, `HH:MM`), a bare epoch, or natural forms ("yesterday", "2 days ago", "last monday 08:00").
 * Local time unless `utc`; `now` anchors relative forms (tests pin it).
 */
export function parseDateTime(text: string, options: { utc?: boolean; now?: Date } = {}): number {
  const trimmed = text.trim();
  const now = options.now ?? new Date();
  if (/^\d{9,11}(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const iso = ISO_LIKE.exec(trimmed);
  if (iso !== null) {
    const num = (index: number, fallback: number) =>
      iso[index] === undefined ? fallback : Number(iso[index]);
    const timeOnly = iso[7] !== undefined;
    const year = timeOnly
      ? options.utc
        ? now.getUTCFullYear()
        : now.getFullYear()
      : num(1, options.utc ? now.getUTCFullYear() : now.getFullYear());
    const month = timeOnly ? (options.utc ? now.getUTCMonth() : now.getMonth()) : num(2, 1) - 1;
    const day = timeOnly ? (options.utc ? now.getUTCDate() : now.getDate()) : num(3, 1);
    const hours = timeOnly ? num(7, 0) : num(4, 0);
    const minutes = timeOnly ? num(8, 0) : num(5, 0);
    const seconds = timeOnly ? num(9, 0) : num(6, 0);
    if (month < 0 || month > 11 || day < 1 || day > 31 || hours > 23 || minutes > 59 || seconds > 60) {
      throw new UsageError(`invalid date '${text}': a field is out of range`);
    }
    const millis = options.utc
      ? Date.UTC(year, month, day, hours, minutes, seconds)
      : new Date(year, month, day, hours, minutes, seconds).getTime();
    return millis / 1000;
  }
  const parsed = chrono().parseDate(trimmed, options.utc ? { instant: now, timezone: 'UTC' } : now, {
    forwardDate: false,
  });
  if (parsed === null) {
    throw new UsageError(
      `invalid date '${text}': expected YYYY-MM-DD [HH:MM[:SS]], HH:MM, an epoch, or e.g. 'yesterday', '2 days ago'`,
    );
  }
  return Math.floor(parsed.getTime() / 1000);
}
