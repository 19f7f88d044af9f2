/**
 * `netledger argus sum`: ra-sum's per-MAC accounting with long options (the short ones work too).
 */
import { Option, type Command } from 'commander';
import { ARGUS_SUM_DEFAULTS, prefixLines, runArgusSum } from '../argus-sum.js';
import { emitOutput } from '../output.js';
import { UsageError } from '../../model/errors.js';

function count(_value: string, previous: number): number {
  return previous + 1;
}

function integer(flag: string) {
  return (text: string): number => {
    if (!/^\d+$/.test(text)) throw new UsageError(`${flag} expects a non-negative integer, found '${text}'`);
    return Number(text);
  };
}

export function register(program: Command): void {
  const argus = program.command('argus').description('argus flow data: per-MAC accounting (ra-sum)');
  argus
    .command('sum')
    .description('traffic in and out of one MAC address from argus records, idempotent across runs')
    .option('-r, --read <file>', 'argus file (default: stdin)')
    .option('-e, --mac <mac>', 'the MAC to account: 00:11:22:33:44:55, 0011.2233.4455 or 00-11-22-33-44-55')
    .option('-i, --addresses', 'list the addresses behind the MAC with their traffic', false)
    .option('-t, --classes', 'totals per policy class', false)
    .option('-c, --policy <file>', 'policy file (classes by prefix, protocol, port; default: all class 0)')
    .option(
      '-p, --overhead <bytes>',
      'bytes added per packet to the app bytes',
      integer('-p'),
      ARGUS_SUM_DEFAULTS.overhead,
    )
    .option('--frame-bytes', 'count whole frames as argus saw them instead of app bytes + overhead', false)
    .option('-b, --billing', 'NDJSON billing stream (total, then -i or -t lines)', false)
    .option('-g, --print-state', 'print the state before counting', false)
    .option('-C, --state <format>', 'state file name format', ARGUS_SUM_DEFAULTS.counterCacheFormat)
    .option(
      '-A, --address-cache <format>',
      'address list file name format',
      ARGUS_SUM_DEFAULTS.addressCacheFormat,
    )
    .option(
      '-T, --timeout <seconds>',
      'expire state entries idle this long',
      integer('-T'),
      ARGUS_SUM_DEFAULTS.timeoutSeconds,
    )
    .option('-k, --compact', 'given 3 times: delete an empty state file', count, 0)
    .option('-v, --verbose', 'counters on stderr', count, 0)
    .option('--no-state', 'keep no state: count everything (not idempotent)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['text', 'json', 'csv']).default('text'),
    )
    .addOption(new Option('--reader <reader>', 'argus reader').choices(['native', 'ra']).default('native'))
    .addOption(
      new Option('--straddling <mode>', 'records straddling counted ones: skip, or count the uncovered share')
        .choices(['skip', 'prorate'])
        .default('skip'),
    )
    .action(async (options: Record<string, unknown>) => {
      const output = await runArgusSum({
        input: options.read as string | undefined,
        mac: options.mac as string | undefined,
        addresses: options.addresses as boolean,
        classes: options.classes as boolean,
        policyFile: options.policy as string | undefined,
        overhead: options.frameBytes ? 'frame' : (options.overhead as number),
        binary: options.billing as boolean,
        printState: options.printState as boolean,
        counterCacheFormat:
          options.state === false ? ARGUS_SUM_DEFAULTS.counterCacheFormat : (options.state as string),
        addressCacheFormat: options.addressCache as string,
        compact: options.compact as number,
        timeoutSeconds: options.timeout as number,
        verbose: options.verbose as number,
        format: options.format as 'text' | 'json' | 'csv',
        reader: options.reader as 'native' | 'ra',
        stateless: options.state === false,
        straddling: options.straddling as 'skip' | 'prorate',
      });
      if (output.stderr !== '') process.stderr.write(prefixLines(output.stderr, 'netledger: '));
      await emitOutput(output.stdout);
    });
}
