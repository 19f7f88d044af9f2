/**
 * Runs the `netledger` bin in a child process and collects its exit code and output.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const NETLEDGER_BIN = fileURLToPath(new URL('../../bin/netledger.js', import.meta.url));

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNetledger(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; shellPrefix?: string } = {},
): Promise<RunResult> {
  const env = { ...process.env, NETLEDGER_LEDGER: undefined, ...options.env };
  const child =
    options.shellPrefix === undefined
      ? spawn(process.execPath, [NETLEDGER_BIN, ...args], { cwd: REPO, env })
      : spawn(
          'bash',
          ['-c', `${options.shellPrefix}; exec "$0" "$@"`, process.execPath, NETLEDGER_BIN, ...args],
          {
            cwd: REPO,
            env,
          },
        );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the CLI inside this process (a child costs seconds on a loaded 2-core box), capturing stdout and
 * stderr. Tests using it must not run concurrently within one file (vitest runs a file's tests in order).
 */
export async function runInProcess(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<RunResult> {
  const { runCli } = await import('../../src/cli/main.js');
  let stdout = '';
  let stderr = '';
  const capture =
    (append: (text: string) => void) =>
    (chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') (done as () => void)();
      return true;
    };
  const originalOut = process.stdout.write.bind(process.stdout);
  const originalErr = process.stderr.write.bind(process.stderr);
  const savedEnv: Record<string, string | undefined> = {};
  for (const key of ['NETLEDGER_LEDGER', ...Object.keys(env)]) savedEnv[key] = process.env[key];
  delete process.env.NETLEDGER_LEDGER;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  process.stdout.write = capture((text) => (stdout += text)) as typeof process.stdout.write;
  process.stderr.write = capture((text) => (stderr += text)) as typeof process.stderr.write;
  process.exitCode = undefined;
  let code: number;
  try {
    code = await runCli(['node', 'netledger', ...args]);
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
    process.exitCode = undefined;
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return { code, stdout, stderr };
}
