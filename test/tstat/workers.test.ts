/**
 * Rendering on worker threads (`--workers`, TstatRenderPool) gives exactly what the in-thread path gives:
 * the same bytes in the same slices, the same warnings with the same line numbers in the same order, the
 * same counters; chunks with quotes or carriage returns are read in place, in order.
 */
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import type { TstatSendOptions, TstatSendSummary } from '../../src/transport/tstat-send.js';
import { sendTstatTree } from '../../src/transport/tstat-send.js';
import { TstatRenderPool, TstatWorkerError } from '../../src/report/tstat-json-workers.js';
import { StdoutSink } from '../../src/sinks/stdout.js';
import { runBin } from '../support/cli.js';
import { generateTstatTree, headerLine, UDP_HEADER_NAMES } from './generate.js';
import { GOLDEN_CASES, NO_TRANSPORT_CONFIG } from './golden-cases.js';
import { tempDir } from './helpers.js';

interface Run {
  text: string;
  logs: string[];
  summary: TstatSendSummary;
}

/** Sends `directory` (then unmarks it, so it can be sent again) and returns everything observable. */
async function send(directory: string, options: Partial<TstatSendOptions>): Promise<Run> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const logs: string[] = [];
  const summary = await sendTstatTree({
    directory,
    sink: new StdoutSink(stream),
    thresholdMB: 0,
    sensorId: 'sensor1.example.net',
    instanceId: 0,
    verbose: true,
    log: (event, message) => logs.push(`${event} ${message}`),
    ...options,
  });
  for (const entry of await readdir(directory)) {
    if (entry.endsWith('.out')) await rm(join(directory, entry, '.processed'), { force: true });
  }
  return { text: Buffer.concat(chunks).toString('utf8'), logs, summary };
}

/** The tree sent in this thread and on workers (with small chunks: many jobs), compared in full. */
async function expectSameOnWorkers(directory: string, options: Partial<TstatSendOptions> = {}): Promise<Run> {
  const inThread = await send(directory, { ...options, workers: 1 });
  for (const workers of [2, 3]) {
    const onWorkers = await send(directory, {
      ...options,
      workers,
      workerMinBytes: 0,
      workerMinObjectsPerLine: 0,
    });
    expect(onWorkers.logs.filter((line) => line.startsWith('process_output.workers'))).toHaveLength(1);
    onWorkers.logs = onWorkers.logs.filter((line) => !line.startsWith('process_output.workers'));
    expect(onWorkers.text).toBe(inThread.text);
    expect(onWorkers.logs).toEqual(inThread.logs);
    expect(onWorkers.summary).toEqual(inThread.summary);
  }
  return inThread;
}

/** Rewrites every log of the tree through `edit` (its whole text). */
async function editLogs(root: string, edit: (text: string, file: string) => string): Promise<void> {
  for (const dir of await readdir(root)) {
    for (const name of ['log_tcp_complete', 'log_udp_complete']) {
      const file = join(root, dir, name);
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text !== undefined) await writeFile(file, edit(text, file));
    }
  }
}

const EDGE_TREE = { seed: 21, directories: 3, tcpRows: 60, udpRows: 60, edgeCases: true, withoutUdp: [1] };

describe('tstat send on worker threads', () => {
  it('skipped rows and dropped directions: the same warnings, line numbers and counters as in this thread', async () => {
    const temp = await tempDir();
    try {
      await generateTstatTree({ ...EDGE_TREE, root: temp.path });
      // No quotes: every chunk goes to a worker. `"quoted name"` becomes two fields: a long row.
      await editLogs(temp.path, (text) => text.replaceAll('"', 'q'));
      const run = await expectSameOnWorkers(temp.path, { chunkBytes: 4096 });
      expect(run.logs.some((line) => line.includes('long row, skipped'))).toBe(true);
      expect(run.logs.some((line) => line.includes('short row, skipped'))).toBe(true);
      expect(run.logs.some((line) => line.includes('direction skipped'))).toBe(true);
      expect(Object.keys(run.summary.droppedDirections).length).toBeGreaterThan(0);
      // Lines longer than a chunk: the read buffer grows.
      await expectSameOnWorkers(temp.path, { chunkBytes: 300 });
      // Chunks of several whole slices (lent out without a copy).
      await expectSameOnWorkers(temp.path, { chunkBytes: 1 << 16 });
      // The default threshold too (few objects), and the default chunk size (one job per log).
      await expectSameOnWorkers(temp.path, { thresholdMB: 1 });
    } finally {
      await temp.cleanup();
    }
  });

  it('quotes: the rest of the log is read in this thread, after the chunks rendered on workers', async () => {
    const temp = await tempDir();
    try {
      // The edge rows, quoted fields among them, come at the end of each log.
      await generateTstatTree({ ...EDGE_TREE, root: temp.path });
      await expectSameOnWorkers(temp.path, { chunkBytes: 4096 });
      await expectSameOnWorkers(temp.path, { chunkBytes: 1 << 20 });
    } finally {
      await temp.cleanup();
    }
  });

  it('carriage returns (in the header too), empty and header-only logs, many small directories', async () => {
    const temp = await tempDir();
    try {
      const dirs = await generateTstatTree({
        seed: 4,
        root: temp.path,
        directories: 12,
        tcpRows: 7,
        udpRows: 9,
      });
      // CRLF line ends in one log (its header holds a carriage return: read in this thread from the start),
      // a lone carriage return in the middle of another (Python's universal newlines end a line there).
      await editLogs(temp.path, (text, file) => {
        if (file.startsWith(dirs[2]!) && file.endsWith('udp_complete')) return text.replaceAll('\n', '\r\n');
        if (file.startsWith(dirs[3]!) && file.endsWith('tcp_complete')) {
          const lines = text.split('\n');
          lines[4] = lines[4]!.replace(' ', '\r');
          return lines.join('\n');
        }
        return text;
      });
      await writeFile(join(dirs[5]!, 'log_tcp_complete'), '');
      await writeFile(join(dirs[6]!, 'log_udp_complete'), `${headerLine(UDP_HEADER_NAMES, '#')}\n`);
      await writeFile(join(dirs[7]!, 'log_udp_complete'), headerLine(UDP_HEADER_NAMES, '#'));
      await writeFile(join(dirs[8]!, 'log_udp_complete'), '\n\n');
      const run = await expectSameOnWorkers(temp.path, { chunkBytes: 2048 });
      expect(run.summary.directoriesSent).toBe(12);
      await expectSameOnWorkers(temp.path);
    } finally {
      await temp.cleanup();
    }
  });

  it('the golden trees on workers: the original bytes', async () => {
    for (const goldenCase of GOLDEN_CASES) {
      const temp = await tempDir();
      try {
        await generateTstatTree({ ...goldenCase.tree, root: temp.path });
        const args = goldenCase.args;
        const value = (flag: string): string | undefined => {
          const index = args.indexOf(flag);
          return index >= 0 ? args[index + 1] : undefined;
        };
        const { gunzipSync } = await import('node:zlib');
        const golden = gunzipSync(
          await readFile(new URL(`./golden/${goldenCase.name}.json.gz`, import.meta.url)),
        ).toString('utf8');
        const run = await send(temp.path, {
          thresholdMB: Number(value('-T') ?? 1000),
          sensorId: value('-S') ?? 'unset',
          instanceId: value('-I') ?? 0,
          workers: 2,
          workerMinBytes: 0,
          workerMinObjectsPerLine: 0,
          chunkBytes: 8192,
        });
        expect(run.text).toBe(golden);
      } finally {
        await temp.cleanup();
      }
    }
  });

  it('workers only where rendering is most of the work: threshold 0, or many objects per line', async () => {
    const temp = await tempDir();
    try {
      const started = (run: Run): boolean =>
        run.logs.some((line) => line.startsWith('process_output.workers'));
      const options = { workers: 2, workerMinBytes: 0, thresholdMB: 1000 };
      // The default threshold on ordinary traffic: ~0.1 objects per line, every directory read here.
      await generateTstatTree({
        seed: 8,
        root: join(temp.path, 'few'),
        directories: 3,
        tcpRows: 50,
        udpRows: 50,
      });
      expect(started(await send(join(temp.path, 'few'), options))).toBe(false);
      expect(started(await send(join(temp.path, 'few'), { ...options, thresholdMB: 0 }))).toBe(true);
      // Mostly big flows: the first directory (read here) gives ~2 objects per line, the next go to workers.
      const many = join(temp.path, 'many');
      await generateTstatTree({
        seed: 8,
        root: many,
        directories: 3,
        tcpRows: 50,
        udpRows: 50,
        bigFlowShare: 0.95,
      });
      const run = await send(many, options);
      expect(started(run)).toBe(true);
      const workersAt = run.logs.findIndex((line) => line.startsWith('process_output.workers'));
      const firstDirLines = run.logs.filter((line) => line.includes('2016_02_17_12_00.out'));
      expect(firstDirLines.length).toBeGreaterThan(0);
      expect(workersAt).toBeGreaterThan(run.logs.lastIndexOf(firstDirLines.at(-1)!));
      expect(run.text).toBe((await send(many, { ...options, workers: 1 })).text);
    } finally {
      await temp.cleanup();
    }
  });

  it('a worker failing is an error naming the log; closing the pool ends its workers', async () => {
    const pool = new TstatRenderPool({ thresholdMB: 0, sensorId: 's', instanceId: 0 }, 2, 1024);
    try {
      const input = pool.allocateInput(1024);
      // A job the worker cannot run (no header): the pool reports it as the failure of that log.
      const job = {
        log: 1,
        protocol: 'udp' as const,
        header: undefined as unknown as Uint8Array,
        sliceSize: 100,
        phase: 0,
        input,
        start: 0,
        end: 10,
      };
      const failed = pool.render('/data/x.out/log_udp_complete', job);
      await expect(failed).rejects.toThrow(TstatWorkerError);
      await expect(failed).rejects.toMatchObject({ position: { file: '/data/x.out/log_udp_complete' } });
      // Every later job fails too: the run stops.
      await expect(
        pool.render('/data/y.out/log_tcp_complete', { ...job, input: pool.allocateInput(1024) }),
      ).rejects.toMatchObject({ position: { file: '/data/y.out/log_tcp_complete' } });
    } finally {
      await pool.close();
    }
  });
});

describe('a failing transport on the parallel path', () => {
  it('stops the run with its error and ends the workers', async () => {
    const temp = await tempDir();
    const close = vi.spyOn(TstatRenderPool.prototype, 'close');
    try {
      await generateTstatTree({ seed: 6, root: temp.path, directories: 2, tcpRows: 300, udpRows: 300 });
      let published = 0;
      const sink = new StdoutSink(new PassThrough());
      sink.publish = async () => {
        if (++published === 3) throw new Error('the transport broke');
      };
      await expect(
        sendTstatTree({
          directory: temp.path,
          sink,
          thresholdMB: 0,
          sensorId: 's',
          instanceId: 0,
          log: () => undefined,
          workers: 2,
          workerMinBytes: 0,
          chunkBytes: 16384,
        }),
      ).rejects.toThrow('the transport broke');
      expect(close).toHaveBeenCalledTimes(1);
      await close.mock.results[0]!.value;
      // Nothing was marked.
      for (const dir of await readdir(temp.path))
        expect(await readdir(join(temp.path, dir))).not.toContain('.processed');
    } finally {
      close.mockRestore();
      await temp.cleanup();
    }
  });
});

describe('a worker thread that dies', () => {
  it('fails every later job with an error naming its log', async () => {
    const pool = new TstatRenderPool({ thresholdMB: 0, sensorId: 's', instanceId: 0 }, 1, 1024);
    try {
      const header = Buffer.from('#c_ip:1 c_port:2\n');
      const input = pool.allocateInput(1024);
      const end = input.write('10.0.0.1 1\n');
      const job = {
        log: 1,
        protocol: 'udp' as const,
        header,
        input,
        start: 0,
        end,
        sliceSize: 100,
        phase: 0,
      };
      const done = await pool.render('/data/a.out/log_udp_complete', job);
      expect(done.lines).toBe(1);
      // Kill the thread from inside (an uncaught exception in its message handler).
      const { worker } = (pool as unknown as { workers: Array<{ worker: Worker }> }).workers[0]!;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage(null);
      await exited;
      await expect(
        pool.render('/data/b.out/log_udp_complete', { ...job, input: pool.allocateInput(1024) }),
      ).rejects.toMatchObject({ position: { file: '/data/b.out/log_udp_complete' } });
    } finally {
      await pool.close();
    }
  });
});

describe('the bins render on workers from the bundle and from the sources', () => {
  it('tstat_send --workers 2 prints what --workers 1 prints, bundled and with NETLEDGER_FROM_SOURCE=1', async () => {
    const temp = await tempDir();
    try {
      const tree = join(temp.path, 'tree');
      // Over 4 MiB of logs in the directory: the workers start (TSTAT_SEND_DEFAULTS.workerMinBytes).
      await generateTstatTree({ seed: 3, root: tree, directories: 1, tcpRows: 6000, udpRows: 2000 });
      const config = join(temp.path, 'config.ini');
      await writeFile(config, NO_TRANSPORT_CONFIG);
      const run = async (workers: number, env: Record<string, string> = {}) => {
        const result = await runBin(
          'tstat_send',
          ['-d', tree, '-c', config, '-N', '-T', '0', '-v', '--workers', String(workers)],
          { env },
        );
        await rm(join(tree, '2016_02_17_12_00.out', '.processed'));
        expect(result.code).toBe(0);
        return result;
      };
      const inThread = await run(1);
      expect(inThread.stderr).not.toContain('worker threads');
      expect(inThread.stdout.length).toBeGreaterThan(10_000_000);
      for (const env of [{}, { NETLEDGER_FROM_SOURCE: '1' }] as Array<Record<string, string>>) {
        const onWorkers = await run(2, env);
        expect(onWorkers.stderr).toContain('rendering on 2 worker threads');
        expect(onWorkers.stdout.equals(inThread.stdout)).toBe(true);
      }
    } finally {
      await temp.cleanup();
    }
  }, 60_000);
});
