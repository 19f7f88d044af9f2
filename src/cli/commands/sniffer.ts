/**
 * `netledger sniffer …`: reports, merges and dump requests for Net::Connection::Sniffer status files.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../../model/errors.js';
import { mergeStatusTables } from '../../aggregate/sniffer-merge.js';
import { readStatusTable } from '../../sources/sniffer/read.js';
import { SnifferTable } from '../../sources/sniffer/table.js';
import { compositeChunks, formatCompositeHeader } from '../../sources/sniffer/write.js';
import type { SnifferStatusTable } from '../../sources/sniffer/status.js';
import { requestDump, parseHostPort } from '../../sources/sniffer/dump-request.js';
import {
  buildSnifferReport,
  renderSnifferCsv,
  snifferJsonChunks,
  renderSnifferTextBytes,
  type SnifferGrouping,
} from '../../report/sniffer.js';
import { renderSnifferHtml } from '../../report/sniffer-html.js';
import { loadWebConfig, webReport } from '../../report/sniffer-web.js';
import { emitOutput } from '../output.js';

export type SnifferFormat = 'text' | 'json' | 'csv' | 'html';

/**
 * Reads a status file into columns; with `allowEmpty`, an empty file (the daemon's "no users yet") is an
 * empty status.
 */
async function readStatus(path: string, allowEmpty: boolean): Promise<SnifferStatusTable> {
  try {
    return await readStatusTable(path);
  } catch (error) {
    if (allowEmpty && (error as { code?: string }).code === 'NL_ERR_EMPTY_INPUT')
      return { header: '', table: SnifferTable.fromEntries([]) };
    throw error;
  }
}

/** Several hosts' status files merged (rem_update), as columns. */
async function readMerged(files: readonly string[], allowEmpty: boolean) {
  return mergeStatusTables(await Promise.all(files.map((path) => readStatus(path, allowEmpty))));
}

export function renderSnifferReport(
  status: SnifferStatusTable,
  grouping: SnifferGrouping,
  format: SnifferFormat,
  utc: boolean,
): string | Buffer | Iterable<Buffer> {
  const report = buildSnifferReport(status, grouping);
  switch (format) {
    case 'json':
      return latin1Chunks(snifferJsonChunks(report));
    case 'csv':
      return renderSnifferCsv(report);
    case 'html':
      return renderSnifferHtml(report, { utc });
    case 'text':
      return renderSnifferTextBytes(report, { utc });
  }
}

/** Status files are read as latin1: their bytes go back out unchanged. */
function* latin1Chunks(chunks: Iterable<string>): Generator<Buffer> {
  for (const chunk of chunks) yield Buffer.from(chunk, 'latin1');
}

function parseGrouping(value: string): SnifferGrouping {
  // 0 and 1 are the original's report types (0 = by /24, 1 = by subdomain).
  if (value === 'cidr24' || value === '0') return 'cidr24';
  if (value === 'domain' || value === '1') return 'domain';
  throw new UsageError(`invalid --by '${value}': expected cidr24 (0) or domain (1)`);
}

function positiveSeconds(name: string) {
  return (value: string): number => {
    if (!/^\d+(?:\.\d+)?$/.test(value) || Number(value) <= 0)
      throw new UsageError(`invalid ${name} '${value}': expected seconds > 0`);
    return Number(value);
  };
}

export function register(program: Command): void {
  const sniffer = program
    .command('sniffer')
    .description('Net::Connection::Sniffer status files: reports, merges, dump requests');

  sniffer
    .command('report')
    .description('composite report of a status file, grouped by /24 or by subdomain, ordered by bandwidth')
    .argument('[file]', 'status file')
    .option('--by <grouping>', 'cidr24 (0) or domain (1)', parseGrouping, 'cidr24' as SnifferGrouping)
    .option('--merge <files...>', "merge several hosts' status files first (composite report)")
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['text', 'json', 'csv', 'html'])
        .default('text'),
    )
    .option('--utc', 'show times in UTC instead of the local time zone')
    .option('--allow-empty', 'treat an empty status file as "no users" instead of an error')
    .option('-o, --output <file>', 'write to a file (atomically) instead of stdout')
    .action(
      async (
        file: string | undefined,
        options: {
          by: SnifferGrouping;
          merge?: string[];
          format: SnifferFormat;
          utc?: boolean;
          allowEmpty?: boolean;
          output?: string;
        },
      ) => {
        const files = [...(file === undefined ? [] : [file]), ...(options.merge ?? [])];
        if (files.length === 0) throw new UsageError('no status file given');
        const allowEmpty = options.allowEmpty ?? false;
        // Reported from columns: no object per IP (see SnifferTable).
        let status: SnifferStatusTable;
        if (files.length === 1) status = await readStatus(files[0]!, allowEmpty);
        else {
          const merged = await readMerged(files, allowEmpty);
          status = { header: formatCompositeHeader(merged), table: merged.table };
        }
        const text = renderSnifferReport(status, options.by, options.format, options.utc ?? false);
        // Status files are read as latin1 so that every byte of a host name comes back out unchanged.
        await emitOutput(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, options.output);
      },
    );

  sniffer
    .command('merge')
    .description('merge status files of several hosts into one composite status file')
    .argument('<files...>', 'status files')
    .option('-o, --output <file>', 'composite status file to write (atomically); stdout when absent')
    .option('--allow-empty', 'treat empty status files as "no users"')
    .action(async (files: string[], options: { output?: string; allowEmpty?: boolean }) => {
      const merged = await readMerged(files, options.allowEmpty ?? false);
      await emitOutput(compositeChunks(merged, merged.table), options.output);
    });

  sniffer
    .command('dump')
    .description('ask a running sensor for a fresh status file over UDP and wait until it is written')
    .argument('<host:port>', "the sensor's dump listener, e.g. 127.0.0.1:10004 (a bare port means 127.0.0.1)")
    .requiredOption('--stats <file>', 'the status file the sensor writes')
    .option('--age <seconds>', 'only ask when the file is older than this', positiveSeconds('--age'))
    .option(
      '--timeout <seconds>',
      'how long to wait for the file to change',
      positiveSeconds('--timeout'),
      15,
    )
    .action(async (target: string, options: { stats: string; age?: number; timeout: number }) => {
      const { host, port } = parseHostPort(target);
      const result = await requestDump({
        host,
        port,
        statsFile: options.stats,
        maxAgeSeconds: options.age,
        timeoutSeconds: options.timeout,
      });
      process.stderr.write(
        result.requested
          ? `dump written at ${result.replyEpoch}\n`
          : 'status file is fresh, no dump requested\n',
      );
    });

  sniffer
    .command('web-report')
    .description("report for a web page, cached and refreshed by age (the original's web_report)")
    .requiredOption('--config <file>', 'web report configuration (stats, cache, updto, refresh, update)')
    .argument('[type]', '0 = by /24, 1 = by subdomain', '0')
    .option('--utc', 'show times in UTC')
    .action(async (type: string, options: { config: string; utc?: boolean }) => {
      const config = await loadWebConfig(options.config);
      const report = await webReport(config, parseGrouping(type === '0' || type === '' ? '0' : '1'), {
        utc: options.utc ?? false,
      });
      await emitOutput(report);
    });
}
