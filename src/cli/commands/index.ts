import type { Command } from 'commander';

/**
 * Every subcommand module exports `register(program)`. Add one line here per capability.
 */
const registrations: Array<(program: Command) => void> = [];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
