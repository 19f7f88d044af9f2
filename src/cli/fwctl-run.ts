/**
 * Shared by `netledger fwctl …` and the `fwctlacctreport` drop-in: option values to a window, the reader
 * wired to the accounting, bad-line warnings on stderr.
 */
import { FwctlAccounting, type FwctlAccountingReport } from '../aggregate/fwctl-accounting.js';
import { EmptyInputError, formatPosition, NetledgerError, UsageError } from '../model/errors.js';
import { totalSkipped, type SourceCounters } from '../model/record.js';
import { parseDateTime, parseDuration } from '../model/time.js';
import { FwctlReader } from '../sources/fwctl.js';

/** Defaults of the fwctl commands. */
export const FWCTL_RUN_DEFAULTS = {
  /** Warnings printed one by one before the rest are only counted. */
  maxWarnings: 10,
} as const;

export interface FwctlRunOptions {
  /** Name printed before messages (`netledger`, `fwctlacctreport`). */
  tool: string;
  files: readonly string[];
  start?: number;
  end?: number;
  period?: number;
  sample: number;
  resolution: 'summary' | 'samples';
  /** Exact names (any of them). */
  names?: readonly string[];
  /** Name patterns (any of them). */
  nameRegexes?: readonly RegExp[];
  strict?: boolean;
}

/** Parses a date option; the error names the option. */
export function dateOption(option: string, text: string, utc: boolean): number {
  try {
    return parseDateTime(text, { utc });
  } catch (error) {
    throw optionError(option, error);
  }
}

/** Parses a duration option; the error names the option. */
export function durationOption(option: string, text: string): number {
  try {
    return parseDuration(text);
  } catch (error) {
    throw optionError(option, error);
  }
}

function optionError(option: string, error: unknown): unknown {
  return error instanceof UsageError ? new UsageError(`${option}: ${error.message}`) : error;
}

/** Rejects a window that ends before it starts when both ends are given. */
export function checkWindow(start: number | undefined, end: number | undefined): void {
  if (start !== undefined && end !== undefined && end <= start) {
    throw new UsageError('the report must end after it starts (check --start, --end and --period)');
  }
}

/** Builds a name filter from exact names and patterns, or undefined for "every name". */
export function nameFilter(
  names: readonly string[] = [],
  patterns: readonly RegExp[] = [],
): ((name: string) => boolean) | undefined {
  if (names.length === 0 && patterns.length === 0) return undefined;
  const exact = new Set(names);
  return (name) => exact.has(name) || patterns.some((pattern) => pattern.test(name));
}

export function compileRegex(option: string, pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new UsageError(`${option}: invalid regular expression '${pattern}': ${(error as Error).message}`);
  }
}

/** Reads the files and returns the report with the reader's counters. Warns on stderr for skipped lines. */
export async function runFwctlAccounting(
  options: FwctlRunOptions,
): Promise<{ report: FwctlAccountingReport; counters: SourceCounters }> {
  let warned = 0;
  const reader = await FwctlReader.open(options.files, {
    strict: options.strict ?? false,
    onBadLine: (_reason, message, position) => {
      warned++;
      if (warned <= FWCTL_RUN_DEFAULTS.maxWarnings) {
        process.stderr.write(
          `${options.tool}: warning: skipped line: ${message} (${formatPosition(position)})\n`,
        );
      }
    },
  });
  const accounting = new FwctlAccounting(
    {
      start: options.start,
      end: options.end,
      period: options.period,
      sample: options.sample,
      resolution: options.resolution,
      keepName: nameFilter(options.names, options.nameRegexes),
    },
    reader.chains.names,
  );
  await reader.forEach(accounting.visit);
  const counters = reader.counters;
  const skipped = totalSkipped(counters);
  if (skipped > 0) {
    const reasons = Object.entries(counters.skipped)
      .map(([reason, count]) => `${count} ${reason}`)
      .join(', ');
    process.stderr.write(
      `${options.tool}: warning: skipped ${skipped} of ${counters.read} lines (${reasons}); --strict makes them errors\n`,
    );
  }
  const report = accounting.finish();
  if (!report.hasRecords && options.start === undefined) {
    const file = options.files.length === 0 ? '<stdin>' : options.files.join(', ');
    if (counters.read === 0) throw new EmptyInputError(file);
    throw new NetledgerError('NL_ERR_EMPTY_INPUT', `no valid fwctl line among ${counters.read}`, {
      position: { file },
    });
  }
  return { report, counters };
}
