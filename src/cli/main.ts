/**
 * The `netledger` command: argument parsing and error reporting only. Each subcommand lives in
 * `commands/` and is a thin call into the library layers.
 */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { reportError } from './errors.js';

/** The program with the commands `argv` needs registered (see registerCommands). */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('netledger')
    .description(
      'Network traffic accounting: pcap, Sniffer status files, fwctl, argus and tstat in one ledger',
    )
    .version('0.1.0')
    .option('--debug', 'print stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await registerCommands(program, argv);
  return program;
}

/** Runs the CLI on `argv` (as in process.argv) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message; help and version are not failures.
      return error.exitCode === 0 ? 0 : 64;
    }
    return reportError('netledger', error, argv.includes('--debug'));
  }
}
