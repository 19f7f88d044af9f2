/**
 * Runs the real bins (`node bin/<name>.js …`) the way a user does, capturing stdout as bytes.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export function runBin(
  bin: string,
  args: readonly string[],
  /** `input: null` gives the child no stdin at all (a daemon that must not hold the test's pipe). */
  options: { input?: string | Buffer | null; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${REPO_ROOT}bin/${bin}.js`, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, TZ: 'UTC', ...options.env },
      stdio: [options.input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(stdout), stderr }));
    if (options.input !== null) child.stdin!.end(options.input ?? '');
  });
}

export const netledger = (args: readonly string[], options?: Parameters<typeof runBin>[2]) =>
  runBin('netledger', args, options);

/** The bin with no stdin, stdout as text: for commands that start daemons. */
export async function runNetledger(
  args: readonly string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const result = await runBin('netledger', args, { input: null });
  return { status: result.code, stdout: result.stdout.toString(), stderr: result.stderr };
}
