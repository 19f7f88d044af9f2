/**
 * The one implementation behind `netledger argus sum` and the `ra-sum` drop-in: parse the MAC, load the
 * policy and the state, read the argus input through the chosen reader, account, save the state, render.
 * Nothing is written (state, caches, output) unless the whole input was read without error.
 */
import { UsageError } from '../model/errors.js';
import { formatMac, parseMac } from '../model/mac.js';
import { totalSkipped } from '../model/record.js';
import { writeFileAtomic } from '../io/atomic.js';
import { compareIp, parseIp } from '../model/ip.js';
import { readArgus, formatEpochMicros, type ArgusReader } from '../sources/argus/index.js';
import { MacAccountant, DEFAULT_OVERHEAD, type StraddlingPolicy } from '../sources/argus/account.js';
import { expandCacheName } from '../sources/argus/cache-name.js';
import { EMPTY_POLICY, loadPolicy } from '../sources/argus/policy.js';
import { expire, loadState, lockState, saveState, type AccountingState } from '../sources/argus/state.js';
import { renderMacTraffic, renderMacTrafficStream, type MacTrafficFormat } from '../report/mac-traffic.js';

export const ARGUS_SUM_DEFAULTS = {
  overhead: DEFAULT_OVERHEAD,
  counterCacheFormat: '%r-/_Cashe_C',
  addressCacheFormat: '%r-/_Cashe_A',
  timeoutSeconds: 2000,
  format: 'text' as MacTrafficFormat,
  reader: 'native' as ArgusReader,
};

export interface ArgusSumOptions {
  /** `-r`: argus file; undefined or `-` reads stdin. */
  input: string | undefined;
  /** `-e`: the MAC as typed. */
  mac: string | undefined;
  /** `-i`, `-t`. */
  addresses: boolean;
  classes: boolean;
  /** `-c`. */
  policyFile: string | undefined;
  /** `-p` bytes per packet, or 'frame' (`--frame-bytes`). */
  overhead: number | 'frame';
  /** `-b`: the NDJSON billing stream. */
  binary: boolean;
  /** `-g`: print the state before counting. */
  printState: boolean;
  /** `-C`, `-A`. */
  counterCacheFormat: string;
  addressCacheFormat: string;
  /** Number of `-k`: 3 or more deletes an empty state file. */
  compact: number;
  /** `-T`. */
  timeoutSeconds: number;
  /** Number of `-v`. */
  verbose: number;
  format: MacTrafficFormat;
  reader: ArgusReader;
  /** `--no-state`: count everything, keep no state (not idempotent). */
  stateless: boolean;
  /** `--straddling skip|prorate`: records straddling counted intervals (default skip). */
  straddling?: StraddlingPolicy;
  now?: Date;
}

export interface ArgusSumOutput {
  stdout: string;
  stderr: string;
}

/** Prefixes every line of `text` with `prefix` (diagnostics on stderr name their tool). */
export function prefixLines(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : prefix + line))
    .join('\n');
}

const MAC_SPELLINGS = '00:11:22:33:44:55, 00-11-22-33-44-55 or 0011.2233.4455';

export function parseMacOption(text: string | undefined): number {
  if (text === undefined) throw new UsageError('-e MAC is required');
  const mac = parseMac(text);
  if (mac === undefined) throw new UsageError(`malformed MAC address '${text}' (expected ${MAC_SPELLINGS})`);
  return mac;
}

function describeState(file: string, state: AccountingState, mac: string): string {
  const entry = state.macs.get(mac);
  if (!entry) return `# state ${file}: nothing recorded for ${mac}\n`;
  const lines = [
    `# state ${file}: ${mac}: ${entry.flows.size} flows, ${entry.addresses.size} addresses, horizon ${formatEpochMicros(entry.horizonUs)}, newest ${formatEpochMicros(entry.newestUs)}`,
  ];
  for (const [address, [first, last]] of sortedAddresses(entry.addresses)) {
    lines.push(`# ${address} ${formatEpochMicros(first)} ${formatEpochMicros(last)}`);
  }
  return lines.join('\n') + '\n';
}

function sortedAddresses(addresses: Map<string, [number, number]>): Array<[string, [number, number]]> {
  return [...addresses].sort(([a], [b]) => compareIp(parseIp(a)!, parseIp(b)!));
}

export async function runArgusSum(options: ArgusSumOptions): Promise<ArgusSumOutput> {
  const mac = parseMacOption(options.mac);
  if (options.binary && options.addresses && options.classes) {
    throw new UsageError('-b takes only one of -i or -t');
  }
  if (options.format === 'csv' && options.addresses && options.classes) {
    throw new UsageError('--format csv takes only one of -i or -t');
  }
  if (!Number.isFinite(options.timeoutSeconds) || options.timeoutSeconds <= 0) {
    throw new UsageError(`-T must be a positive number of seconds, found ${options.timeoutSeconds}`);
  }
  const policy = options.policyFile === undefined ? EMPTY_POLICY : await loadPolicy(options.policyFile);
  const input = options.input === undefined || options.input === '-' ? undefined : options.input;
  const context = { mac, inputFile: input, now: options.now ?? new Date() };
  const stateFile = expandCacheName(options.counterCacheFormat, context);
  const addressFile = expandCacheName(options.addressCacheFormat, context);
  if (!options.stateless && stateFile === addressFile) {
    throw new UsageError(`-C and -A name the same file '${stateFile}': the formats must differ`);
  }
  const macText = formatMac(mac);
  let stdout = '';
  let stderr = '';

  const release = options.stateless ? undefined : await lockState(stateFile);
  try {
    const state = options.stateless ? undefined : await loadState(stateFile);
    if (options.printState && state) stdout += describeState(stateFile, state, macText);
    const accountant = new MacAccountant({
      mac,
      overhead: options.overhead,
      policy,
      ...(state ? { state } : {}),
    });
    const readerCounters = await readArgus(input ?? '-', (flow) => accountant.add(flow), options.reader);

    if (state) {
      const entry = state.macs.get(macText)!;
      const expired = expire(entry, options.timeoutSeconds * 1e6);
      if (options.verbose > 0) stderr += `expired ${expired} idle flow entries\n`;
      await saveState(stateFile, state, options.compact >= 3);
      const lines = sortedAddresses(entry.addresses).map(
        ([address, [first, last]]) => `${address}\t${formatEpochMicros(first)}\t${formatEpochMicros(last)}\n`,
      );
      await writeFileAtomic(
        addressFile,
        `# addresses seen behind ${macText}: address, first, last\n${lines.join('')}`,
      );
    }

    const counters = {
      records: readerCounters.read,
      flows: readerCounters.decoded,
      skipped: readerCounters.skipped,
      ...accountant.counters,
    };
    if (options.verbose > 0) {
      stderr +=
        `read ${readerCounters.read} records (${readerCounters.decoded} flows, ${totalSkipped(readerCounters)} skipped: ` +
        `${JSON.stringify(readerCounters.skipped)}); ${macText}: ${accountant.counters.matched} records, ` +
        `${accountant.counters.counted} counted, ${accountant.counters.alreadyCounted} already counted, ` +
        `${accountant.counters.straddling} straddling (${options.straddling === 'prorate' ? 'counted pro rata' : 'skipped'}), ${accountant.counters.stale} stale` +
        (state ? `; state ${stateFile}` : '') +
        '\n';
    }
    const report = {
      mac: macText,
      from:
        accountant.counters.counted > 0 ||
        (options.straddling === 'prorate' && accountant.counters.straddling > 0)
          ? accountant.firstUs / 1e6
          : undefined,
      to:
        accountant.counters.counted > 0 ||
        (options.straddling === 'prorate' && accountant.counters.straddling > 0)
          ? accountant.lastUs / 1e6
          : undefined,
      total: accountant.total,
      byAddress: accountant.byAddress,
      byClass: accountant.byClass,
      counters,
    };
    const sections = { addresses: options.addresses, classes: options.classes };
    stdout += options.binary
      ? renderMacTrafficStream(report, sections)
      : renderMacTraffic(report, options.format, sections);
  } finally {
    await release?.();
  }
  return { stdout, stderr };
}
