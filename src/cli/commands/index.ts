import type { Command } from 'commander';
import { register as registerCapture } from './capture.js';
import { register as registerSensor } from './sensor.js';
import { register as registerSniffer } from './sniffer.js';

/**
 * Every subcommand module exports `register(program)`. Add one line here per capability.
 */
const registrations: Array<(program: Command) => void> = [registerCapture, registerSensor, registerSniffer];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
