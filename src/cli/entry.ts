import { runCli } from './main.js';

export function main(argv: readonly string[]): Promise<number> {
  return runCli(argv);
}
