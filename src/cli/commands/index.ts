import type { Command } from 'commander';
import { register as registerArgus } from './argus.js';
import { register as registerCapture } from './capture.js';
import { register as registerFwctl } from './fwctl.js';
import { register as registerLedger } from './ledger.js';
import { register as registerSensor } from './sensor.js';
import { register as registerServe } from './serve.js';
import { register as registerSniffer } from './sniffer.js';
import { register as registerTstat } from './tstat.js';

/**
 * Every subcommand module exports `register(program)`. Add one line here per capability.
 */
const registrations: Array<(program: Command) => void> = [
  registerCapture,
  registerSensor,
  registerSniffer,
  registerFwctl,
  registerTstat,
  registerArgus,
  registerLedger,
  registerServe,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
