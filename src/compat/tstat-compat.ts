/**
 * Shared shell of the tstat drop-ins: parse like optparse would (usage line, `error:` message, exit 2 on
 * bad usage), run, and turn any error into one line on stderr and an exit code. Never throws.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from '../model/errors.js';
import { reportError } from '../cli/errors.js';

/** optparse's exit status for usage errors. */
const USAGE_EXIT_CODE = 2;

export async function runCompat(
  tool: string,
  usage: string,
  define: (command: Command) => Command,
  run: (options: Record<string, unknown>) => Promise<number>,
  argv: readonly string[],
): Promise<number> {
  const command = define(new Command(tool))
    .usage(usage)
    .helpOption('-h, --help', 'show this help message and exit')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .allowExcessArguments(true);
  const debug = argv.includes('-D') || argv.includes('--debug');
  try {
    command.parse([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
    return reportError(tool, error, debug);
  }
  try {
    return await run(command.opts());
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`Usage: ${tool} ${usage}\n\n${tool}: error: ${error.message}\n`);
      return USAGE_EXIT_CODE;
    }
    return reportError(tool, error, debug);
  }
}
