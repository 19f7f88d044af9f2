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
  const units = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const measurement = { label, seconds, units, unit };
  printMeasurement(measurement);
  return measurement;
}

export function printMeasurement(m: Measurement, extra = ''): void {
  const rate = m.units / m.seconds;
  console.log(
    `${m.label.padEnd(48)} ${m.seconds.toFixed(3).padStart(8)} s  ${Math.round(rate).toLocaleString('en').padStart(12)} ${m.unit}/s  peak RSS ${peakRssMiB().toFixed(0)} MiB${extra ? '  ' + extra : ''}`,
  );
}

/** Times an external command (a peer tool); returns undefined when it is not installed. */
export function timeCommand(
  command: string,
  args: string[],
  options: { input?: Buffer } = {},
): { seconds: number; stdout: string; peakMiB: number } | undefined {
  const started = process.hrtime.bigint();
  // GNU time (Debian package `time`) reports the peer's peak memory; without it only the time is known.
  const withTime = existsSync('/usr/bin/time');
  const result = spawnSync(
    withTime ? '/usr/bin/time' : command,
    withTime ? ['-f', '%M', command, ...args] : args,
    {
      input: options.input,
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    },
  );
  if (result.error || result.status === 127) return undefined;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const lastLine = (result.stderr ?? '').trim().split('\n').pop() ?? '0';
  return { seconds, stdout: result.stdout ?? '', peakMiB: withTime ? Number(lastLine) / 1024 : Number.NaN };
}
