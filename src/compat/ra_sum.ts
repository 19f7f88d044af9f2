/**
 * `ra-sum`: drop-in for traf-tools' ra-sum (2000): the traffic of one MAC from argus records, with the
 * original single-letter flags (getopt style: `-ti`, `-r FILE`, `-rFILE`). netledger additions are long
 * options: `--format text|json|csv`, `--frame-bytes`, `--reader native|ra`, `--no-state`,
 * `--straddling skip|prorate`.
 * Exported `main` never throws: errors print one line and return the exit code.
 */
import { UsageError } from '../model/errors.js';
import { reportError } from '../cli/errors.js';
import { emitOutput } from '../cli/output.js';
import { ARGUS_SUM_DEFAULTS, prefixLines, runArgusSum, type ArgusSumOptions } from '../cli/argus-sum.js';
import { ARGUS_READERS, type ArgusReader } from '../sources/argus/index.js';
import { STRADDLING_POLICIES, type StraddlingPolicy } from '../sources/argus/account.js';

const TOOL = 'ra-sum';
const FLAGS = new Set('SbtigkKfvh'.split(''));
const WITH_VALUE = new Set('recpCAT'.split(''));

export const RA_SUM_USAGE = `usage: ra-sum [-SbtigkKfvh] [-r InFile] [-e EtherAddr] [-c Policy] [-p BytesPerPacket]
              [-C CCacheFormat] [-A ACacheFormat] [-T TimeOut]
              [--format text|json|csv] [--frame-bytes] [--reader native|ra] [--no-state]
              [--straddling skip|prorate]
  -r FILE   argus file (default: stdin)        -e MAC   the MAC to account (00:11:22:33:44:55,
  -i        list the addresses behind the MAC           0011.2233.4455, 00-11-22-33-44-55)
  -t        totals per policy class            -c FILE  policy file (default: everything class 0)
  -p N      bytes added per packet (default 42) -b      NDJSON billing stream on stdout
  -C FMT    state file name (default %r-/_Cashe_C)
  -A FMT    address list file name (default %r-/_Cashe_A)
  -T SEC    expire state entries idle this long (default 2000)
  -g        print the state first   -v  counters on stderr   -kkk  delete an empty state
  -S -K -f  accepted for compatibility; no effect   -h  this help
`;

function parseNonNegativeInteger(flag: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`-${flag} expects a non-negative integer, found '${text}'`);
  return Number(text);
}

/** Parses ra-sum's command line (without node and script). Returns undefined for -h. */
export function parseRaSumArguments(args: readonly string[]): ArgusSumOptions | undefined {
  const options: ArgusSumOptions = {
    input: undefined,
    mac: undefined,
    addresses: false,
    classes: false,
    policyFile: undefined,
    overhead: ARGUS_SUM_DEFAULTS.overhead,
    binary: false,
    printState: false,
    counterCacheFormat: ARGUS_SUM_DEFAULTS.counterCacheFormat,
    addressCacheFormat: ARGUS_SUM_DEFAULTS.addressCacheFormat,
    compact: 0,
    timeoutSeconds: ARGUS_SUM_DEFAULTS.timeoutSeconds,
    verbose: 0,
    format: ARGUS_SUM_DEFAULTS.format,
    reader: ARGUS_SUM_DEFAULTS.reader,
    stateless: false,
  };
  let help = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg.startsWith('--')) {
      const [name, inline] = arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
      const value = (): string => {
        const next = inline ?? args[++index];
        if (next === undefined) throw new UsageError(`${name} needs a value`);
        return next;
      };
      if (name === '--format') {
        const format = value();
        if (format !== 'text' && format !== 'json' && format !== 'csv') {
          throw new UsageError(`--format must be text, json or csv, found '${format}'`);
        }
        options.format = format;
      } else if (name === '--reader') {
        const reader = value();
        if (!ARGUS_READERS.includes(reader as ArgusReader)) {
          throw new UsageError(`--reader must be native or ra, found '${reader}'`);
        }
        options.reader = reader as ArgusReader;
      } else if (name === '--straddling') {
        const mode = value();
        if (!STRADDLING_POLICIES.includes(mode as StraddlingPolicy)) {
          throw new UsageError(`--straddling must be skip or prorate, found '${mode}'`);
        }
        options.straddling = mode as StraddlingPolicy;
      } else if (name === '--frame-bytes') options.overhead = 'frame';
      else if (name === '--no-state') options.stateless = true;
      else if (name === '--help') help = true;
      else throw new UsageError(`unknown option ${name}`);
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') throw new UsageError(`unexpected argument '${arg}'`);
    for (let at = 1; at < arg.length; at++) {
      const flag = arg[at]!;
      if (WITH_VALUE.has(flag)) {
        const value = at + 1 < arg.length ? arg.slice(at + 1) : args[++index];
        if (value === undefined) throw new UsageError(`-${flag} needs a value`);
        switch (flag) {
          case 'r':
            options.input = value;
            break;
          case 'e':
            options.mac = value;
            break;
          case 'c':
            options.policyFile = value;
            break;
          case 'p':
            options.overhead = parseNonNegativeInteger('p', value);
            break;
          case 'C':
            options.counterCacheFormat = value;
            break;
          case 'A':
            options.addressCacheFormat = value;
            break;
          case 'T':
            options.timeoutSeconds = parseNonNegativeInteger('T', value);
            break;
        }
        break;
      }
      if (!FLAGS.has(flag)) throw new UsageError(`unknown option -${flag}`);
      switch (flag) {
        case 'b':
          options.binary = true;
          break;
        case 't':
          options.classes = true;
          break;
        case 'i':
          options.addresses = true;
          break;
        case 'g':
          options.printState = true;
          break;
        case 'k':
          options.compact++;
          break;
        case 'v':
          options.verbose++;
          break;
        case 'h':
          help = true;
          break;
        // -S, -K, -f tune the original's cache layout: nothing to tune in netledger's state.
      }
    }
  }
  return help ? undefined : options;
}

export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const options = parseRaSumArguments(argv.slice(2).filter((arg) => arg !== '--debug'));
    if (options === undefined) {
      await emitOutput(RA_SUM_USAGE);
      return 0;
    }
    const output = await runArgusSum(options);
    if (output.stderr !== '') process.stderr.write(prefixLines(output.stderr, `${TOOL}: `));
    await emitOutput(output.stdout);
    return 0;
  } catch (error) {
    return reportError(TOOL, error, debug);
  }
}
