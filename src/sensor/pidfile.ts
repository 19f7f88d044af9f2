/**
 * The pid file of a running sensor (`<piddir>/<name>.pid`), as the original's start/stop/status/dump use it.
 */
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic.js';

/** The pid in `file`, or undefined when there is no (readable, numeric) pid file. */
export async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the sensor running for `file`, or undefined (a stale pid file counts as none). */
export async function runningPid(file: string): Promise<number | undefined> {
  const pid = await readPid(file);
  return pid !== undefined && isAlive(pid) ? pid : undefined;
}

export async function writePid(file: string, pid: number = process.pid): Promise<void> {
  await writeFileAtomic(file, `${pid}\n`);
}

export async function removePid(file: string): Promise<void> {
  await rm(file, { force: true });
}
