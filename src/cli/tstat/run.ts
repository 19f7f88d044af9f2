/**
 * The tstat commands behind both doors, `netledger tstat send|cull` and the drop-ins `tstat_send` /
 * `tstat_cull`: the same options (the original's short and long names), validated with the original's
 * messages, then a call into the send pipeline or the cull.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { normalize, resolve } from 'node:path';
import { UsageError } from '../../model/errors.js';
import { TSTAT_JSON_DEFAULTS } from '../../report/tstat-json.js';
import { defaultRenderWorkers } from '../../report/tstat-json-workers.js';
import { pyParseInt } from '../../report/python-json.js';
import type { TransportName } from '../../sinks/config.js';
import { TRANSPORTS, httpSettings, rabbitSettings, readIniFile } from '../../sinks/config.js';
import { HttpSink } from '../../sinks/http.js';
import { RabbitSink } from '../../sinks/rabbit.js';
import { StdoutSink } from '../../sinks/stdout.js';
import type { MessageSink } from '../../sinks/types.js';
import { TSTAT_CULL_DEFAULTS, cullTstatTree } from '../../transport/tstat-cull.js';
import { SILENT_LOG, createTstatLog } from '../../transport/tstat-log.js';
import type { TstatSendSummary } from '../../transport/tstat-send.js';
import { sendTstatTree } from '../../transport/tstat-send.js';

export interface TstatSendCliOptions {
  directory?: string;
  config: string;
  threshold: number;
  transport: string;
  sensor?: string;
  instance?: string;
  single?: boolean;
  verbose?: boolean;
  debug?: boolean;
  printOnly?: boolean;
  persistent?: boolean;
  quiet?: boolean;
  workers?: number;
}

export interface TstatCullCliOptions {
  directory?: string;
  ttl: number;
  dryRun?: boolean;
  verbose?: boolean;
  quiet?: boolean;
}

/** A count of at least 1. */
function positiveIntegerOption(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new InvalidArgumentError(`not a positive integer: '${text}'`);
  return value;
}

/** optparse `type='int'`: Python's int() of the text. */
function integerOption(text: string): number {
  const value = pyParseInt(text);
  if (typeof value !== 'number') throw new InvalidArgumentError(`invalid integer value: '${text}'`);
  return value;
}

/**
 * Lets `command` accept the original's `--no-transport` spelling: commander would read any `--no-X` as
 * the negation of `--X`, and `--transport` is taken, so the token is rewritten to `-N` before parsing.
 */
export function acceptNoTransport(command: Command): Command {
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (argv: string[]) =>
    parseOptions(argv.map((token) => (token === '--no-transport' ? '-N' : token)));
  return command;
}

/** The options of tstat_send 0.6.5 (plus netledger's `--persistent` and `--quiet`). */
export function defineSendOptions(command: Command): Command {
  return (
    command
      .option('-d, --directory <DIR>', 'root directory where tstat files are')
      .option('-c, --config <FILE>', 'path to the transport config file', './config.ini')
      .option(
        '-T, --threshold <MBYTES>',
        'ignore any transfer below this threshold (in MBytes)',
        integerOption,
        TSTAT_JSON_DEFAULTS.thresholdMB,
      )
      .option('-t, --transport <TYPE>', `transport type: ${TRANSPORTS.join(' | ')}`, 'rabbit')
      .option('-S, --sensor <ID>', 'sensor ID to include in meta data (default: host name)')
      .option('-I, --instance <ID>', 'instance ID to include in meta data (default: 0)')
      .option('-s, --single', 'only process a single directory that has data')
      .option('-v, --verbose', 'verbose output')
      .option('-D, --debug', 'extra verbose output, stack traces of errors')
      // `--no-transport` would be commander's negation of `--transport`: it is rewritten to `-N` (see below).
      .option(
        '-N, --print-only',
        'print the JSON slices to stdout instead of sending them (also --no-transport)',
      )
      .option('--persistent', 'publish with delivery mode 2 (persistent) instead of 1')
      .option(
        '--workers <N>',
        `threads rendering JSON (default: ${defaultRenderWorkers()}, one per core up to 4, one fewer with a broker on this host; 1 = no worker thread)`,
        positiveIntegerOption,
      )
      .option('-q, --quiet', 'no log lines on stderr, only errors')
  );
}

export function defineCullOptions(command: Command): Command {
  return command
    .option('-d, --directory <DIR>', 'root directory where tstat files are')
    .option(
      '-t, --ttl <HOURS>',
      'number of hours to keep processed tstat logs around for',
      integerOption,
      TSTAT_CULL_DEFAULTS.ttlHours,
    )
    .option('-D, --dry-run', 'dry run: log directories to be removed but do not delete')
    .option('-v, --verbose', 'verbose output')
    .option('-q, --quiet', 'no log lines on stderr, only errors');
}

/** The original's checks of -d: given, and existing. Returns the normalised path. */
function checkDirectory(directory: string | undefined): string {
  if (!directory) throw new UsageError('Directory path is required.');
  const path = normalize(directory);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new UsageError(`${path} directory path does not exist`);
  }
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Rendering threads when `--workers` is not given: one per core, but one core fewer when the broker runs on
 * this host, as it needs a core of its own for the confirmed publishing to keep up (2 cores, local broker,
 * 400k lines at -T 0: 6.0 s in one thread, 6.9-7.2 s with two workers).
 */
function renderWorkers(options: TstatSendCliOptions, sink: MessageSink): number {
  if (options.workers !== undefined) return options.workers;
  return sink instanceof RabbitSink && isLoopback(sink.host)
    ? Math.max(1, defaultRenderWorkers() - 1)
    : defaultRenderWorkers();
}

async function createSink(options: TstatSendCliOptions, transport: TransportName, log: typeof SILENT_LOG) {
  const configPath = resolve(options.config);
  const needsConfig = transport !== 'stdout';
  if (needsConfig && !existsSync(configPath))
    throw new UsageError(`${configPath} config file does not exist`);
  let sink: MessageSink;
  if (transport === 'rabbit') {
    const settings = await rabbitSettings(await readIniFile(configPath));
    if (options.printOnly) {
      log('rabbit.init', '--no-transport set, not opening connections');
      return new StdoutSink();
    }
    const rabbit = new RabbitSink(settings, { persistent: options.persistent ?? false, log });
    await rabbit.open();
    log('rabbit.init.connection', `status - is_open: True (${rabbit.address})`);
    sink = rabbit;
  } else if (transport === 'http') {
    const settings = httpSettings(await readIniFile(configPath));
    sink = options.printOnly ? new StdoutSink() : new HttpSink(settings);
  } else sink = new StdoutSink();
  return sink;
}

/**
 * Runs tstat send. Returns the exit code: 0, or `interruptedExitCode` after a Ctrl-C that let the current
 * directory finish. Errors are thrown (the caller reports them).
 */
export async function runTstatSend(
  options: TstatSendCliOptions,
  interruptedExitCode: number,
): Promise<{ code: number; summary: TstatSendSummary }> {
  const directory = checkDirectory(options.directory);
  if (!(TRANSPORTS as readonly string[]).includes(options.transport)) {
    throw new UsageError(`${options.transport} is not a valid transport type.`);
  }
  const transport = options.transport as TransportName;
  const log = options.quiet ? SILENT_LOG : createTstatLog();
  const sink = await createSink(options, transport, log);
  let stop = false;
  const onInterrupt = (): void => {
    // The first Ctrl-C finishes the current directory; a second one kills (the default handler).
    stop = true;
    process.removeListener('SIGINT', onInterrupt);
    log('main.interrupt', 'interrupted: finishing the current directory');
  };
  process.on('SIGINT', onInterrupt);
  try {
    const summary = await sendTstatTree({
      directory,
      sink,
      thresholdMB: options.threshold,
      sensorId: options.sensor ?? hostname(),
      instanceId: options.instance ?? 0,
      single: options.single ?? false,
      verbose: options.verbose ?? false,
      log,
      stopRequested: () => stop,
      workers: renderWorkers(options, sink),
    });
    if (options.verbose) {
      const skipped = Object.entries({ ...summary.rows.skipped, ...summary.droppedDirections })
        .map(([reason, count]) => `${reason}=${count}`)
        .join(' ');
      log(
        'main.summary',
        `directories=${summary.directoriesSent} already_processed=${summary.directoriesSkipped} ` +
          `rows=${summary.rows.read} objects=${summary.objects} messages=${summary.messages} ` +
          `confirmed=${sink.counters.confirmed} resends=${summary.resends}${skipped ? ` skipped: ${skipped}` : ''}`,
      );
    }
    return { code: summary.interrupted ? interruptedExitCode : 0, summary };
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await sink.close();
  }
}

export async function runTstatCull(options: TstatCullCliOptions): Promise<number> {
  const directory = checkDirectory(options.directory);
  const log = options.quiet ? SILENT_LOG : createTstatLog();
  const summary = await cullTstatTree({
    directory,
    ttlHours: options.ttl,
    dryRun: options.dryRun ?? false,
    log,
  });
  if (options.verbose) {
    log(
      'main.summary',
      `${options.dryRun ? 'would remove' : 'removed'}=${summary.removed.length} kept=${summary.kept}`,
    );
  }
  return 0;
}
