import type { Command } from 'commander';

type CommandModule = { register(program: Command): void };

/**
 * Every subcommand module exports `register(program)`; this table says which top-level commands each one
 * registers. Add a line here per capability. Only the module of the command being run is loaded (each is
 * a chunk of its own in the bundle): loading all of them, with the Node built-ins they pull in (sockets,
 * child processes, worker threads, zlib), was a quarter of the CPU time of `netledger --version`. Help, an unknown
 * command or a command missing from this table loads them all, so a gap here costs time, never function.
 */
export const COMMAND_MODULES: ReadonlyArray<{ commands: readonly string[]; load(): Promise<CommandModule> }> =
  [
    { commands: ['capture'], load: () => import('./capture.js') },
    { commands: ['sensor'], load: () => import('./sensor.js') },
    { commands: ['sniffer'], load: () => import('./sniffer.js') },
    { commands: ['fwctl'], load: () => import('./fwctl.js') },
    { commands: ['tstat'], load: () => import('./tstat.js') },
    { commands: ['argus'], load: () => import('./argus.js') },
    { commands: ['ingest', 'top', 'series', 'sources', 'collect'], load: () => import('./ledger.js') },
    { commands: ['serve', 'hash-password'], load: () => import('./serve.js') },
  ];

/**
 * Registers the command named in `argv` (as in process.argv), or every command when none is named or the
 * name is not in the table (none for `--version`). The CLI's global options take no values, so the
 * command is the first word that is not an option.
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = argv.slice(2).find((arg) => !arg.startsWith('-'));
  // The version needs no command at all.
  if (name === undefined && (argv.includes('--version') || argv.includes('-V'))) return;
  const named = COMMAND_MODULES.filter((module) => name !== undefined && module.commands.includes(name));
  const modules = await Promise.all(
    (named.length > 0 ? named : COMMAND_MODULES).map((module) => module.load()),
  );
  for (const module of modules) module.register(program);
}
