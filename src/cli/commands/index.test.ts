import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMAND_MODULES, registerCommands } from './index.js';

const namesOf = (program: Command) => program.commands.map((command) => command.name());

describe('registerCommands', () => {
  it("lists each module's top-level commands exactly (a wrong entry would make a command unknown)", async () => {
    for (const module of COMMAND_MODULES) {
      const program = new Command();
      (await module.load()).register(program);
      expect(namesOf(program)).toEqual(module.commands);
    }
  });

  it('registers only the module of the command run, and every module for help or an unknown word', async () => {
    const registered = async (...args: string[]) => {
      const program = new Command();
      await registerCommands(program, ['node', 'netledger', ...args]);
      return namesOf(program);
    };
    const everything = COMMAND_MODULES.flatMap((module) => module.commands);
    expect(await registered('--debug', 'top', '--by', 'src')).toEqual([
      'ingest',
      'top',
      'series',
      'sources',
      'collect',
    ]);
    expect(await registered('sniffer', 'report', 'x.stats')).toEqual(['sniffer']);
    expect(await registered('--help')).toEqual(everything);
    expect(await registered('help', 'top')).toEqual(everything);
    expect(await registered('no-such-command')).toEqual(everything);
    expect(await registered('--version')).toEqual([]);
  });
});
