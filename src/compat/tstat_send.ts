/**
 * `tstat_send`: drop-in for tstat_transport 0.6.5's command (same flags, same config.ini, same JSON and
 * `.processed` protocol). Differences from the original are listed in docs/tstat.md.
 */
import type { TstatSendCliOptions } from '../cli/tstat/run.js';
import { acceptNoTransport, defineSendOptions, runTstatSend } from '../cli/tstat/run.js';
import { runCompat } from './tstat-compat.js';

export function main(argv: readonly string[]): Promise<number> {
  return runCompat(
    'tstat_send',
    '[ -d DIR | -v ]',
    (command) => acceptNoTransport(defineSendOptions(command)),
    // The original exits 0 after a Ctrl-C that let the current directory finish.
    async (options) => (await runTstatSend(options as unknown as TstatSendCliOptions, 0)).code,
    argv,
  );
}
