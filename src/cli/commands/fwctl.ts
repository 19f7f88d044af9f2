/**
 * `netledger fwctl summary|samples [FILES]`: firewall accounting reports from `fwctl dump-acct` records.
 */
import { Option, type Command } from 'commander';
import { renderFwctlReport, type FwctlReportKind } from '../../report/fwctl.js';
import { TABULAR_FORMATS, type TabularFormat } from '../../report/tabular.js';
import { emitOutput } from '../output.js';
import { checkWindow, compileRegex, dateOption, durationOption, runFwctlAccounting } from '../fwctl-run.js';

interface FwctlCommandOptions {
  start?: string;
  end?: string;
  period?: string;
  sample: string;
  name: string[];
  nameRegex: string[];
  format: TabularFormat;
  utc?: boolean;
  strict?: boolean;
  verbose?: boolean;
  output?: string;
}

const DESCRIPTIONS: Record<FwctlReportKind, string> = {
  summary: 'per chain: packets and bytes over the report period, and their average per sample',
  samples: 'per chain and per sample: packets and bytes (deltas spread over samples in proportion to time)',
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export async function runFwctlCommand(
  kind: FwctlReportKind,
  files: string[],
  options: FwctlCommandOptions,
): Promise<void> {
  const utc = options.utc ?? false;
  const start = options.start === undefined ? undefined : dateOption('--start', options.start, utc);
  const end = options.end === undefined ? undefined : dateOption('--end', options.end, utc);
  const period = options.period === undefined ? undefined : durationOption('--period', options.period);
  const sample = durationOption('--sample', options.sample);
  checkWindow(start, period !== undefined && start !== undefined ? start + period : end);
  const nameRegexes = options.nameRegex.map((pattern) => compileRegex('--name-regex', pattern));
  const { report, counters } = await runFwctlAccounting({
    tool: 'netledger',
    files,
    start,
    end,
    period,
    sample,
    resolution: kind,
    names: options.name,
    nameRegexes,
    strict: options.strict ?? false,
  });
  if (options.verbose) {
    const skipped = Object.entries(counters.skipped).map(([reason, count]) => `${count} ${reason}`);
    process.stderr.write(
      `netledger: ${files.length === 0 ? '<stdin>' : files.join(', ')}: read ${counters.read} lines, used ${counters.decoded} dumps, skipped ${skipped.length === 0 ? 'none' : skipped.join(', ')}\n`,
    );
  }
  await emitOutput(
    renderFwctlReport(report, { kind, format: options.format, utc, counters }),
    options.output,
  );
}

export function register(program: Command): void {
  const fwctl = program
    .command('fwctl')
    .description('firewall accounting reports from `fwctl dump-acct` records (Fwctl::AcctReport)');
  for (const kind of ['summary', 'samples'] as const) {
    fwctl
      .command(kind)
      .description(DESCRIPTIONS[kind])
      .argument('[files...]', 'fwctl accounting files, merged in time order; none or - reads stdin')
      .option(
        '--start <date>',
        'report start (YYYY-MM-DD HH:MM:SS or a subset, epoch, "yesterday"…); default: first record',
      )
      .option('--end <date>', 'report end; default: last record')
      .option('--period <duration>', 'report length from the start (wins over --end), e.g. 1d, "2 weeks"')
      .option('--sample <duration>', 'sample length, e.g. 1h, 1d, day, hour', '1d')
      .option('--name <name>', 'only this chain name (exact; repeatable)', collect, [])
      .option('--name-regex <pattern>', 'only chain names matching this pattern (repeatable)', collect, [])
      .addOption(
        new Option('--format <format>', 'output format').choices([...TABULAR_FORMATS]).default('text'),
      )
      .option('--utc', 'read and print dates in UTC instead of the local time zone (TZ)')
      .option('--strict', 'a bad line is an error (file:line) instead of a warning and a skip')
      .option('--verbose', 'print how many lines were read, used and skipped')
      .option('-o, --output <file>', 'write the report to FILE (atomically) instead of stdout')
      .action((files: string[], options: FwctlCommandOptions) => runFwctlCommand(kind, files, options));
  }
}
