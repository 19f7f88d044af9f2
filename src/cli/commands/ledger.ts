/**
 * Ledger commands: `ingest`, `top`, `series`, `sources`, `collect`. Thin: parse options, open the ledger,
 * call src/ledger, render with report/tabular.
 */
import { type Command, Option } from 'commander';
import { GROUP_KEYS_HELP, parseGroupBy, type GroupBy } from '../../aggregate/keys.js';
import type { GroupTotal, SeriesPoint } from '../../aggregate/totals.js';
import { formatNames } from '../../ledger/adapters.js';
import { collect } from '../../ledger/collect.js';
import { createProgress } from '../../io/progress.js';
import { ingestFile } from '../../ledger/ingest.js';
import { openLedger, resolveLedgerLocation } from '../../ledger/open.js';
import type { Ledger } from '../../ledger/types.js';
import { UsageError } from '../../model/errors.js';
import { formatIsoTime, parseDateTime, parseDuration } from '../../model/time.js';
import {
  renderTabular,
  TABULAR_FORMATS,
  type Column,
  type Row,
  type TabularFormat,
} from '../../report/tabular.js';
import { reportError } from '../errors.js';
import { emitOutput } from '../output.js';

const LEDGER_HELP =
  'ledger file, or clickhouse://host:8123/db (default: $NETLEDGER_LEDGER or ./netledger.duckdb)';

interface ViewOptions {
  ledger?: string;
  by: string;
  since?: string;
  until?: string;
  limit?: string;
  format: TabularFormat;
  utc?: boolean;
  output?: string;
}

export function register(program: Command): void {
  program
    .command('ingest')
    .description(
      'add sources to the ledger, idempotently (a file read before is skipped, a grown one adds its new part)',
    )
    .argument('<source...>', 'files to ingest')
    .option('--ledger <path>', LEDGER_HELP)
    .option(
      '--format <format>',
      `input format: auto (sniffed from the content) or ${formatNames().join(', ')}`,
      'auto',
    )
    .action(async (sources: string[], options: { ledger?: string; format: string }) => {
      await withLedger(options.ledger, async (ledger) => {
        let failure: unknown;
        for (const source of sources) {
          try {
            const progress = createProgress(`ingest ${source}`, 'records');
            const outcome = await ingestFile(ledger, source, {
              format: options.format,
              onProgress: (records) => progress.update(records),
            }).finally(() => progress.finish());
            const detail =
              outcome.status === 'unchanged'
                ? 'unchanged, nothing added'
                : `${outcome.records} records added (${outcome.format}${outcome.fromOffset > 0 ? `, new part from byte ${outcome.fromOffset}` : ''})${skippedText(outcome.skipped)}`;
            process.stdout.write(`${source}: ${detail}\n`);
          } catch (error) {
            // One transaction per source: the others still count; the exit code reports the first failure.
            failure ??= error;
            reportError('netledger', error, program.opts().debug === true);
          }
        }
        if (failure !== undefined) process.exitCode = exitCodeOf(failure);
      });
    });

  viewOptions(
    program
      .command('top')
      .description('largest talkers in the ledger by bytes')
      .option('--limit <n>', 'rows to show', '20'),
  ).action(async (options: ViewOptions) => {
    const by = parseGroupBy(options.by);
    const limit = parseLimit(options.limit);
    const window = parseWindow(options);
    await withLedger(options.ledger, async (ledger) => {
      const totals = await ledger.top({ by, ...window, ...(limit === undefined ? {} : { limit }) });
      await emitOutput(renderTop(by, totals, options.format), options.output);
    });
  });

  viewOptions(
    program
      .command('series')
      .description('per-bin sums by key; records spanning bin edges are split in proportion to their overlap')
      .requiredOption('--bin <duration>', 'bin width, e.g. 5m, 1h, 1d (bins are aligned to the epoch, UTC)')
      .option('--limit <n>', 'only the N keys top ranks first over the window (whole bins)'),
  ).action(async (options: ViewOptions & { bin: string }) => {
    const by = parseGroupBy(options.by);
    const binSeconds = parseDuration(options.bin);
    if (!Number.isInteger(binSeconds))
      throw new UsageError(`invalid --bin '${options.bin}': whole seconds only`);
    const limit = parseLimit(options.limit);
    const window = parseWindow(options);
    await withLedger(options.ledger, async (ledger) => {
      const points = await ledger.series({
        by,
        binSeconds,
        ...window,
        ...(limit === undefined ? {} : { limit }),
      });
      await emitOutput(renderSeries(by, points, options.format), options.output);
    });
  });

  program
    .command('sources')
    .description('list what the ledger has ingested (one row per ingest)')
    .option('--ledger <path>', LEDGER_HELP)
    .addOption(new Option('--format <format>', 'output format').choices(TABULAR_FORMATS).default('text'))
    .action(async (options: { ledger?: string; format: TabularFormat }) => {
      await withLedger(options.ledger, async (ledger) => {
        const rows: Row[] = (await ledger.sources()).map((entry) => ({
          id: entry.id,
          path: entry.path,
          format: entry.format,
          from: entry.fromOffset,
          size: entry.size,
          records: entry.records,
          first: entry.firstTime === undefined ? '' : formatIsoTime(entry.firstTime),
          last: entry.lastTime === undefined ? '' : formatIsoTime(entry.lastTime),
          ingested: formatIsoTime(Math.floor(entry.ingestedAt)),
          sha256: entry.contentHash,
        }));
        const columns: Column[] = [
          { key: 'id' },
          { key: 'path' },
          { key: 'format' },
          { key: 'from', numeric: true },
          { key: 'size', numeric: true },
          { key: 'records', numeric: true },
          { key: 'first' },
          { key: 'last' },
          { key: 'ingested' },
          { key: 'sha256' },
        ];
        await emitOutput(renderTabular(options.format, columns, rows));
      });
    });

  program
    .command('collect')
    .description('consume record batches from RabbitMQ into the ledger; ack after commit, duplicates skipped')
    .requiredOption('--amqp <url>', 'broker URL, e.g. amqp://guest:guest@127.0.0.1:5672')
    .requiredOption('--queue <name>', 'queue to consume (declared durable if absent)')
    .option('--ledger <path>', LEDGER_HELP)
    .option('--prefetch <n>', 'unacknowledged batches in flight', '16')
    .option('--max-batches <n>', 'stop after N batches')
    .option('--idle <duration>', 'stop after this long without a batch (e.g. 30s)')
    .option('--verbose', 'print one line per batch on stderr')
    .action(
      async (options: {
        amqp: string;
        queue: string;
        ledger?: string;
        prefetch: string;
        maxBatches?: string;
        idle?: string;
        verbose?: boolean;
      }) => {
        const prefetch = parseLimit(options.prefetch) ?? 16;
        const maxBatches = parseLimit(options.maxBatches);
        const idleSeconds = options.idle === undefined ? undefined : parseDuration(options.idle);
        await withLedger(options.ledger, async (ledger) => {
          let stopSignal!: () => void;
          const stop = new Promise<void>((resolve) => (stopSignal = resolve));
          process.once('SIGINT', stopSignal);
          process.once('SIGTERM', stopSignal);
          try {
            const summary = await collect(ledger, {
              url: options.amqp,
              queue: options.queue,
              prefetch,
              stop,
              ...(maxBatches === undefined ? {} : { maxBatches }),
              ...(idleSeconds === undefined ? {} : { idleSeconds }),
              onBatch: (event) => {
                if (event.status === 'rejected') {
                  process.stderr.write(`netledger: batch ${event.batchId} rejected: ${event.reason}\n`);
                } else if (options.verbose) {
                  process.stderr.write(`batch ${event.batchId}: ${event.status}, ${event.records} records\n`);
                }
              },
            });
            process.stdout.write(
              `${summary.batches} batches: ${summary.records} records added, ${summary.duplicates} duplicates skipped, ${summary.rejected} rejected\n`,
            );
          } finally {
            process.off('SIGINT', stopSignal);
            process.off('SIGTERM', stopSignal);
          }
        });
      },
    );
}

function viewOptions(command: Command): Command {
  return command
    .requiredOption('--by <key>', GROUP_KEYS_HELP)
    .option('--since <time>', "records from this time: '2026-11-20 10:00', 'yesterday', '2 hours ago', epoch")
    .option('--until <time>', 'records before this time')
    .option('--utc', 'read --since/--until in UTC instead of local time (output times are always UTC)')
    .option('--ledger <path>', LEDGER_HELP)
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .addOption(new Option('--format <format>', 'output format').choices(TABULAR_FORMATS).default('text'));
}

async function withLedger(
  location: string | undefined,
  run: (ledger: Ledger) => Promise<void>,
): Promise<void> {
  const ledger = await openLedger(resolveLedgerLocation(location));
  try {
    await run(ledger);
  } finally {
    await ledger.close();
  }
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`invalid count '${text}': expected a positive integer`);
  return Number(text);
}

function parseWindow(options: ViewOptions): { since?: number; until?: number } {
  const at = (text: string) => parseDateTime(text, { utc: options.utc === true });
  const window: { since?: number; until?: number } = {};
  if (options.since !== undefined) window.since = at(options.since);
  if (options.until !== undefined) window.until = at(options.until);
  if (window.since !== undefined && window.until !== undefined && window.until <= window.since) {
    throw new UsageError(`--until (${options.until}) is not after --since (${options.since})`);
  }
  return window;
}

/** `, 3 skipped (bad timestamp 2, missing fields 1)`, or nothing when the reader skipped nothing. */
function skippedText(skipped: Record<string, number>): string {
  const reasons = Object.entries(skipped).filter(([, count]) => count > 0);
  if (reasons.length === 0) return '';
  const total = reasons.reduce((sum, [, count]) => sum + count, 0);
  return `, ${total} skipped (${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')})`;
}

function exitCodeOf(error: unknown): number {
  return typeof (error as { exitCode?: unknown }).exitCode === 'number'
    ? (error as { exitCode: number }).exitCode
    : 70;
}

export function renderTop(by: GroupBy, totals: readonly GroupTotal[], format: TabularFormat): string {
  const columns: Column[] = [
    { key: 'key', title: by.label },
    { key: 'bytes', numeric: true },
    { key: 'packets', numeric: true },
    { key: 'records', numeric: true },
  ];
  return renderTabular(
    format,
    columns,
    totals as unknown as Row[],
    { by: by.label },
    { title: `Top by ${by.label}`, chart: { kind: 'bars', label: 'key', value: 'bytes', unit: 'B' } },
  );
}

export function renderSeries(by: GroupBy, points: readonly SeriesPoint[], format: TabularFormat): string {
  const columns: Column[] = [
    { key: 'time' },
    { key: 'key', title: by.label },
    { key: 'bytes', numeric: true },
    { key: 'packets', numeric: true },
  ];
  const rows = points.map((point) => ({
    time: formatIsoTime(point.binStart),
    key: point.key,
    bytes: point.bytes,
    packets: point.packets,
  }));
  return renderTabular(
    format,
    columns,
    rows,
    { by: by.label },
    {
      title: `Bytes per bin by ${by.label}`,
      chart: { kind: 'lines', x: 'time', series: 'key', value: 'bytes', unit: 'B' },
    },
  );
}
