/**
 * Timing and memory helpers shared by the benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Measurement {
  label: string;
  seconds: number;
  units: number;
  unit: string;
  /** CPU time of this process during the run (all its threads), when measured. */
  cpuSeconds?: number;
}

/** Peak resident memory of this process so far, in MiB (getrusage maxrss). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

export async function measure(
  label: string,
  unit: string,
  run: () => Promise<number> | number,
): Promise<Measurement> {
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const units = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const measurement = { label, seconds, units, unit, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  printMeasurement(measurement);
  return measurement;
}

export function printMeasurement(m: Measurement, extra = ''): void {
  const rate = m.units / m.seconds;
  console.log(
    `${m.label.padEnd(48)} ${m.seconds.toFixed(3).padStart(8)} s  ${Math.round(rate).toLocaleString('en').padStart(12)} ${m.unit}/s  peak RSS ${peakRssMiB().toFixed(0)} MiB` +
      (m.cpuSeconds === undefined ? '' : `  CPU ${m.cpuSeconds.toFixed(2)} s`) +
      (extra ? '  ' + extra : ''),
  );
}

export interface CommandTiming {
  /** Wall time. */
  seconds: number;
  /** User + system CPU time (NaN without GNU time): fairer than wall time for a peer that sleeps. */
  cpuSeconds: number;
  stdout: string;
  /** The peer's own messages, without GNU time's line. */
  stderr: string;
  status: number | null;
  peakMiB: number;
}

/** Times an external command (a peer tool); returns undefined when it is not installed. */
export function timeCommand(
  command: string,
  args: string[],
  options: { input?: Buffer } = {},
): CommandTiming | undefined {
  const started = process.hrtime.bigint();
  // GNU time (Debian package `time`) reports the peer's CPU time and peak memory; without it only the
  // wall time is known.
  const withTime = existsSync('/usr/bin/time');
  const result = spawnSync(
    withTime ? '/usr/bin/time' : command,
    withTime ? ['-f', '%U %S %M', command, ...args] : args,
    {
      input: options.input,
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    },
  );
  if (result.error || result.status === 127) return undefined;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = (result.stderr ?? '').trimEnd().split('\n');
  const [user, system, peakKiB] = withTime ? (lines.pop() ?? '').split(' ').map(Number) : [];
  return {
    seconds,
    cpuSeconds: withTime ? user! + system! : Number.NaN,
    stdout: result.stdout ?? '',
    stderr: lines.join('\n'),
    status: result.status,
    peakMiB: withTime ? peakKiB! / 1024 : Number.NaN,
  };
}

/** The fastest of `runs` timings of a command (undefined when it could not run). */
export function fastestOf(runs: number, time: () => CommandTiming | undefined): CommandTiming | undefined {
  let best: CommandTiming | undefined;
  for (let i = 0; i < runs; i++) {
    const timing = time();
    if (timing === undefined || timing.status !== 0) return timing;
    if (best === undefined || timing.seconds < best.seconds) best = timing;
  }
  return best;
}
