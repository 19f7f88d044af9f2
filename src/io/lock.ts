/**
 * An exclusive lock file, so that many concurrent viewers of a cached report cost one computation.
 * Node has no flock(2); an O_EXCL-created file holding the owner's pid serves, and a lock whose owner
 * process is gone is taken over instead of blocking forever.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { TimeoutError, fromFsError } from '../model/errors.js';

const RETRY_MS = 100;

function ownerIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `work` while holding the lock file `lockPath`; waits at most `timeoutSeconds` for it. */
export async function withLock<T>(
  lockPath: string,
  timeoutSeconds: number,
  work: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o660);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw fromFsError(error, lockPath);
      const owner = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
      if (owner !== 0 && !ownerIsAlive(owner)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() >= deadline)
        throw new TimeoutError(`can not lock ${lockPath} within ${timeoutSeconds} s`);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
