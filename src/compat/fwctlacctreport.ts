/**
 * `fwctlacctreport`: drop-in for the Fwctl 0.28 report script (formats.md 2.4), with the semantics of
 * formats.md 2.6. Flags as Getopt::Long read them: `--opt value`, `--opt=value`, a single dash, any case,
 * unique prefixes (`--rep`), `--` to end the options, files anywhere.
 */
import { reportError } from '../cli/errors.js';
import { emitOutput } from '../cli/output.js';
import { checkWindow, dateOption, durationOption, runFwctlAccounting } from '../cli/fwctl-run.js';
import { UsageError } from '../model/errors.js';
import { renderFwctlText, type FwctlTextSection } from '../report/fwctl-text.js';

const TOOL = 'fwctlacctreport';

const USAGE = `usage: fwctlacctreport [--start report_start]
\t\t       [--end report_end | --period report_period ]
\t\t       [--sample day | hour ]
\t\t       [--help]
\t\t       [--names chains ... ]
\t\t       [--report reports ... ]
\t\t       fwctl_acct
`;

/** The original's Getopt spec: `start=s end=s period=s sample=s names=s@ report=s@ help`. */
const OPTIONS = ['start', 'end', 'period', 'sample', 'names', 'report', 'help'] as const;
type OptionName = (typeof OPTIONS)[number];

interface ParsedArgs {
  single: Partial<Record<'start' | 'end' | 'period' | 'sample', string>>;
  names: string[];
  reports: string[];
  help: boolean;
  files: string[];
}

/** Getopt::Long's lookup: an exact name, else the one option the text is a prefix of (case-insensitive). */
function resolveOption(text: string): OptionName {
  const lower = text.toLowerCase();
  const exact = OPTIONS.find((option) => option === lower);
  if (exact !== undefined) return exact;
  const candidates = OPTIONS.filter((option) => option.startsWith(lower));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    throw new UsageError(`option ${text} is ambiguous (${candidates.join(', ')}); run with --help for usage`);
  }
  throw new UsageError(`unknown option: ${text} (run with --help for usage)`);
}

export function parseArgs(args: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { single: {}, names: [], reports: [], help: false, files: [] };
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      parsed.files.push(...args.slice(index + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      parsed.files.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const equals = body.indexOf('=');
    const option = resolveOption(equals === -1 ? body : body.slice(0, equals));
    if (option === 'help') {
      parsed.help = true;
      continue;
    }
    let value: string;
    if (equals !== -1) value = body.slice(equals + 1);
    else if (index + 1 < args.length) value = args[++index]!;
    else throw new UsageError(`option ${option} requires an argument`);
    if (option === 'names') parsed.names.push(value);
    else if (option === 'report') parsed.reports.push(value);
    else parsed.single[option] = value;
  }
  return parsed;
}

/** `--sample`: `^d[ay]*$` is a day, `^h[our]*$` an hour (case-insensitive), as the original. */
function sampleLength(text: string): number {
  if (/^d[ay]*$/i.test(text)) return 86_400;
  if (/^h[our]*$/i.test(text)) return 3600;
  throw new UsageError(`unknown sample unit: ${text}. (should be hour or day)`);
}

/** `--report`: prefixes as the original's unanchored-at-the-end patterns. */
function reportSection(text: string): FwctlTextSection {
  if (/^s[umary]*/i.test(text)) return 'summary';
  if (/^p[ackets]*/i.test(text)) return 'packets';
  if (/^b[ytes]*/i.test(text)) return 'bytes';
  throw new UsageError(`unknown report type: ${text} (should be summary, packets or bytes)`);
}

async function run(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv.slice(2));
  if (args.help) {
    await emitOutput(USAGE);
    return 0;
  }
  const sample = sampleLength(args.single.sample ?? 'day');
  const sections = (args.reports.length === 0 ? ['summary'] : args.reports).map(reportSection);
  const { start: startText, end: endText, period: periodText } = args.single;
  const start = startText === undefined ? undefined : dateOption('--start', startText, false);
  const period = periodText === undefined ? undefined : durationOption('--period', periodText);
  const end = period === undefined && endText !== undefined ? dateOption('--end', endText, false) : undefined;
  checkWindow(start, period !== undefined && start !== undefined ? start + period : end);
  const { report } = await runFwctlAccounting({
    tool: TOOL,
    files: args.files,
    start,
    end,
    period,
    sample,
    resolution: sections.some((section) => section !== 'summary') ? 'samples' : 'summary',
    names: args.names,
  });
  await emitOutput(renderFwctlText(report, { sections }));
  return 0;
}

/** Entry point of the `fwctlacctreport` bin; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (error) {
    return reportError(TOOL, error, false);
  }
}
