/**
 * `netledger capture -r FILE|-`: one pass over a pcap/pcapng file or stream, totals per key.
 */
import type { Command } from 'commander';
import { createProgress } from '../../io/progress.js';
import { UsageError } from '../../model/errors.js';
import { renderTabular, TABULAR_FORMATS, type Row, type TabularFormat } from '../../report/tabular.js';
import { accountCapture, parseGroupBy, type ByteMeasure } from '../../sources/pcap/account.js';
import { emitOutput } from '../output.js';

interface CaptureOptions {
  read: string;
  by: string;
  bpf?: string;
  bytes: string;
  format: string;
  skipBad?: boolean;
  output?: string;
  verbose?: boolean;
}

const KEY_TITLES: Record<string, string> = {
  host: 'host',
  src: 'src',
  dst: 'dst',
  cidr: 'network',
  mac: 'mac',
  port: 'port',
  proto: 'proto',
  flow: 'flow',
};

export async function runCapture(options: CaptureOptions): Promise<void> {
  const groupBy = parseGroupBy(options.by);
  if (groupBy === undefined) {
    throw new UsageError(
      `--by ${options.by}: expected host, src, dst, cidr24, cidr/N[,M], mac, port, proto or flow`,
    );
  }
  if (options.bytes !== 'wire' && options.bytes !== 'ip') {
    throw new UsageError(`--bytes ${options.bytes}: expected wire or ip`);
  }
  if (!(TABULAR_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`--format ${options.format}: expected ${TABULAR_FORMATS.join(', ')}`);
  }
  const format = options.format as TabularFormat;
  const progress = createProgress(`capture ${options.read === '-' ? 'stdin' : options.read}`, 'packets');
  const { accounting, summary, filtered } = await accountCapture(options.read, {
    groupBy,
    measure: options.bytes as ByteMeasure,
    ...(options.bpf === undefined ? {} : { bpf: options.bpf }),
    skipBad: options.skipBad ?? false,
    onProgress: (frames) => progress.update(frames),
  }).finally(() => progress.finish());
  const rows: Row[] = accounting.rows().map((row) => ({ ...row }));
  const totals = accounting.totals;
  const counters = {
    format: summary.format,
    records: summary.read,
    decoded: summary.decoded,
    filtered,
    skipped: summary.skipped,
    skippedBytes: summary.skippedBytes,
  };
  if (format === 'text') rows.push({ key: 'total', packets: totals.packets, bytes: totals.bytes });
  const columns = [
    { key: 'key', title: KEY_TITLES[groupBy.kind] ?? 'key' },
    { key: 'packets', numeric: true },
    { key: 'bytes', numeric: true },
  ];
  const text = renderTabular(
    format,
    columns,
    rows,
    { by: options.by, bytes: options.bytes, totals, counters },
    {
      title: `Capture ${options.read === '-' ? 'stdin' : options.read} by ${options.by}`,
      chart: { kind: 'bars', label: 'key', value: 'bytes', unit: 'B' },
    },
  );
  if (options.verbose) {
    process.stderr.write(
      `netledger capture: ${summary.read} records read, ${summary.decoded} counted, ${filtered} filtered out, ` +
        `skipped ${JSON.stringify(summary.skipped)} (${summary.skippedBytes} bytes)\n`,
    );
  }
  await emitOutput(text, options.output);
}

export function register(program: Command): void {
  program
    .command('capture')
    .description(
      'account a pcap/pcapng capture (file or stdin) per host, network, MAC, port, protocol or flow',
    )
    .requiredOption('-r, --read <file>', 'pcap or pcapng file, - for stdin')
    .option('--by <key>', 'host, src, dst, cidr24, cidr/N[,M], mac, port, proto or flow', 'host')
    .option('--bpf <expr>', 'tcpdump filter expression (compiled by tcpdump, run per packet)')
    .option('--bytes <measure>', 'wire (frame length on the wire) or ip (IP total length)', 'wire')
    .option('--format <format>', 'text, json, csv or ndjson', 'text')
    .option('--skip-bad', 'resynchronise after corrupt records and count what was skipped')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('-v, --verbose', 'print reader counters on stderr')
    .action(async (options: CaptureOptions) => {
      await runCapture(options);
    });
}
