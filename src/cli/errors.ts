import { ERROR_CATALOGUE, NetledgerError } from '../model/errors.js';

/**
 * Prints an error as one line `<tool>: <message> (<file>:<line>)` on stderr and returns its exit code.
 * A stack trace only with `debug`: users get a sentence, developers ask for the rest.
 */
export function reportError(tool: string, error: unknown, debug: boolean): number {
  if (error instanceof NetledgerError) {
    process.stderr.write(`${tool}: ${error.describe()}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${tool}: internal error: ${message}\n`);
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ERROR_CATALOGUE.NL_ERR_INTERNAL.exitCode;
}
