/**
 * What a running sensor is doing, for `serve`'s `/api/sensor/status`: whether its pid file names a live
 * process, and the header values of the status file it last wrote.
 */
import { readFile, stat } from 'node:fs/promises';
import { headerValues, type HeaderValues } from '../sources/sniffer/header.js';
import { runningPid } from './pidfile.js';

export interface SensorStatus extends HeaderValues {
  running: boolean;
  pid?: number;
  statsFile?: string;
  /** Seconds since the status file was last written. */
  ageSeconds?: number;
}

export async function sensorStatus(
  pidFile: string | undefined,
  statsFile: string | undefined,
): Promise<SensorStatus> {
  const pid = pidFile === undefined ? undefined : await runningPid(pidFile);
  const status: SensorStatus = { running: pid !== undefined };
  if (pid !== undefined) status.pid = pid;
  if (statsFile === undefined) return status;
  status.statsFile = statsFile;
  try {
    const info = await stat(statsFile);
    status.ageSeconds = Math.max(0, Math.round((Date.now() - info.mtimeMs) / 1000));
    // The header is at the top; 4 KiB holds it.
    const head = (await readFile(statsFile)).subarray(0, 4096).toString('latin1');
    Object.assign(status, headerValues(head));
  } catch {
    // No status file yet: the sensor has not dumped (or is not configured); running/pid still say enough.
  }
  return status;
}
