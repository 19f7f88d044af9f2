/** Shared helpers of the tstat tests: temp trees, in-process sends, collecting output. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { vi } from 'vitest';
import { SILENT_LOG } from '../../src/transport/tstat-log.js';
import type { TstatSendOptions, TstatSendSummary } from '../../src/transport/tstat-send.js';
import { sendTstatTree } from '../../src/transport/tstat-send.js';
import { StdoutSink } from '../../src/sinks/stdout.js';

export async function tempDir(prefix = 'nl-tstat-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** Sends a tree to an in-memory "stdout" (as --no-transport) and returns what was printed. */
export async function printTree(
  directory: string,
  options: Partial<TstatSendOptions> = {},
): Promise<{ text: string; summary: TstatSendSummary }> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const summary = await sendTstatTree({
    directory,
    sink: new StdoutSink(stream),
    thresholdMB: 1000,
    sensorId: 'sensor1.example.net',
    instanceId: 0,
    log: SILENT_LOG,
    ...options,
  });
  return { text: Buffer.concat(chunks).toString('utf8'), summary };
}

export async function writeLog(dir: string, name: string, lines: string[]): Promise<void> {
  await writeFile(join(dir, name), lines.map((line) => `${line}\n`).join(''));
}

/** Runs `run` with stderr captured; returns its exit code and what it wrote there. */
export async function captureStderr(run: () => Promise<number>): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((text) => {
    lines.push(String(text));
    return true;
  });
  try {
    return { code: await run(), stderr: lines.join('') };
  } finally {
    spy.mockRestore();
  }
}
