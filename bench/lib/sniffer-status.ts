/**
 * Seeded Sniffer status files for the benches, made once and kept, each by a child process
 * (write-sniffer-status.ts) so that generating them never counts in a bench's own peak memory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const writer = fileURLToPath(new URL('./write-sniffer-status.ts', import.meta.url));

/** The daemon status file at `path` with `ips` IPs from `seed` (4 per /24); made when it is not there. */
export function ensureStatusFile(path: string, ips: number, seed: number): string {
  if (!existsSync(path)) {
    const made = spawnSync(process.execPath, ['--import', 'tsx', writer, String(ips), path, String(seed)], {
      stdio: 'inherit',
    });
    if (made.status !== 0) throw new Error(`could not generate ${path}`);
  }
  return path;
}
