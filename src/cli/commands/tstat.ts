/**
 * `netledger tstat send|cull`: ship tstat logs as tstat_transport 0.6.5 JSON, and prune sent directories.
 */
import { Command } from 'commander';
import type { TstatCullCliOptions, TstatSendCliOptions } from '../tstat/run.js';
import {
  acceptNoTransport,
  defineCullOptions,
  defineSendOptions,
  runTstatCull,
  runTstatSend,
} from '../tstat/run.js';

/** Exit code after a Ctrl-C that let the current directory finish (128 + SIGINT). */
const INTERRUPTED_EXIT_CODE = 130;

export function register(program: Command): void {
  const tstat = program
    .command('tstat')
    .description('tstat logs: send them as JSON slices, cull sent directories');

  const send = defineSendOptions(
    new Command('send').description(
      'send unsent tstat *.out directories (log_tcp_complete, log_udp_complete) to RabbitMQ, HTTP or stdout',
    ),
  ).action(async (options: TstatSendCliOptions) => {
    const { code } = await runTstatSend(options, INTERRUPTED_EXIT_CODE);
    process.exitCode = code;
  });
  tstat.addCommand(acceptNoTransport(send));

  tstat.addCommand(
    defineCullOptions(
      new Command('cull').description(
        'delete sent tstat directories whose .processed mark is older than the ttl',
      ),
    ).action(async (options: TstatCullCliOptions) => {
      process.exitCode = await runTstatCull(options);
    }),
  );
}
