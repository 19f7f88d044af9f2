/**
 * CPU time of the local RabbitMQ broker (the Erlang VM, beam.smp), from /proc: what a benchmark adds to
 * its own CPU time to show where the time of a confirmed publish goes.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** The broker's process id, or undefined when no Erlang VM runs here (or /proc cannot be read). */
export function brokerPid(): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('beam')) return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** User + system CPU seconds the process has used so far (NaN when it cannot be read). */
export function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // Fields after the command name (which may hold spaces, hence the split on ') '): utime is the 12th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
