/**
 * tstat send: a seeded tree of 1M TCP + 1M UDP lines (bench/out/tstat, generated once), then, each in a
 * process of its own (so that each has its own peak memory):
 *  1. --no-transport at the default threshold (1000 MB: few objects, mostly reading) and at --threshold 0
 *     (every line gives 2 objects: the JSON worst case), in this thread (--workers 1) and on the default
 *     worker threads, printed to stdout = /dev/null as the CLI does;
 *  2. the rabbit transport to the local broker (127.0.0.1:5672), confirmed, --threshold 0, on a part of
 *     the tree, --workers 1 and the default;
 *  3. the ceiling for 2: a bare amqplib publisher sending as many messages of the same size on a confirm
 *     channel, as many in flight, nothing rendered;
 *  4. the original tstat_send 0.6.5 on a small tree, when its reference copy is on this machine.
 * Sizes: TSTAT_BENCH_LINES (per protocol, default 1,000,000), TSTAT_BENCH_RABBIT_LINES (default 200,000).
 * Timings are of the pipeline (tsx start-up, ~0.5 s, excluded); "cpu" is the process's user + system time,
 * the figure that does not depend on what else runs on the machine.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SILENT_LOG } from '../src/transport/tstat-log.js';
import { sendTstatTree } from '../src/transport/tstat-send.js';
import type { RabbitSettings } from '../src/sinks/config.js';
import { defaultRenderWorkers } from '../src/report/tstat-json-workers.js';
import { RABBIT_DEFAULTS, RabbitSink } from '../src/sinks/rabbit.js';
import { StdoutSink } from '../src/sinks/stdout.js';
import type { MessageSink } from '../src/sinks/types.js';
import { brokerPid, processCpuSeconds } from './lib/broker.js';
import { canConnect } from '../test/support/services.js';
import { localRabbitSettings } from '../test/tstat/broker.js';
import { generateTstatTree } from '../test/tstat/generate.js';
import { timeCommand } from './lib/measure.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const self = fileURLToPath(import.meta.url);
const LINES = Number(process.env.TSTAT_BENCH_LINES ?? 1_000_000);
const RABBIT_LINES = Number(process.env.TSTAT_BENCH_RABBIT_LINES ?? 200_000);
const DIRS = 10;
const ORIGINAL = process.env.TSTAT_ORIGINAL ?? '/work/shared/reference/tstat/run_original.py';

/** What a measured path reports back to the parent. */
interface PathResult {
  seconds: number;
  cpuSeconds: number;
  lines: number;
  messages: number;
  bytes: number;
  peakMiB: number;
  note?: string;
}

// ---------------------------------------------------------------------------------------------- child

function rabbitSettings(queue: string): RabbitSettings {
  return localRabbitSettings(queue, {
    // The broker keeps only the newest messages (drop-head still confirms): its memory stays bounded.
    queueOptions: { autoDelete: false, arguments: { 'x-max-length': 500 } },
    reconnectDelayMs: 100,
    confirmTimeoutMs: 120_000,
  });
}

async function deleteQueue(queue: string): Promise<void> {
  const amqp = await import('amqplib');
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  await connection.close();
}

/** Removes the .processed marks so the tree can be sent again. */
async function unmark(root: string): Promise<void> {
  for (const entry of await readdir(root)) {
    if (entry.endsWith('.out')) await rm(join(root, entry, '.processed'), { force: true });
  }
}

async function timed(run: () => Promise<Omit<PathResult, 'seconds' | 'cpuSeconds' | 'peakMiB'>>) {
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const counts = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  return { ...counts, seconds, cpuSeconds: (used.user + used.system) / 1e6, peakMiB };
}

/** Sends the bench tree to `sink` as `tstat send` does (workers: the default when undefined). */
function sendBenchTree(root: string, sink: MessageSink, thresholdMB: number, workers: number | undefined) {
  return sendTstatTree({
    directory: root,
    sink,
    thresholdMB,
    sensorId: 'bench',
    instanceId: 0,
    log: SILENT_LOG,
    ...(workers === undefined ? {} : { workers }),
  });
}

/** `--no-transport` into this process's stdout, which the parent points at /dev/null (as `> /dev/null`). */
async function noTransport(root: string, thresholdMB: number, workers?: number): Promise<PathResult> {
  await unmark(root);
  const sink = new StdoutSink(process.stdout);
  return timed(async () => {
    const summary = await sendBenchTree(root, sink, thresholdMB, workers);
    return {
      lines: summary.rows.read,
      messages: summary.messages,
      bytes: sink.counters.bytes,
      note: `${summary.objects.toLocaleString('en')} objects`,
    };
  });
}

async function toRabbit(root: string, workers?: number): Promise<PathResult> {
  await unmark(root);
  const queue = `nl-tstat-bench-${process.pid}`;
  const sink = new RabbitSink(rabbitSettings(queue));
  await sink.open();
  try {
    return await timed(async () => {
      const summary = await sendBenchTree(root, sink, 0, workers);
      return {
        lines: summary.rows.read,
        messages: sink.counters.confirmed,
        bytes: sink.counters.bytes,
        note: `${summary.objects.toLocaleString('en')} objects, ${(sink.counters.bytes / sink.counters.confirmed / 1000).toFixed(1)} KB per message`,
      };
    });
  } finally {
    await sink.close();
    await deleteQueue(queue);
  }
}

/**
 * The same number of messages of the same size, published the way RabbitSink publishes (confirm channel,
 * delivery mode 1, the same window of unconfirmed messages, waiting on drain), with nothing rendered.
 */
async function rawAmqplib(messages: number, size: number): Promise<PathResult> {
  const amqp = await import('amqplib');
  const queue = `nl-tstat-bench-raw-${process.pid}`;
  const settings = rabbitSettings(queue);
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createConfirmChannel();
  await channel.assertQueue(queue, settings.queueOptions);
  const body = Buffer.alloc(size, 0x20);
  let unconfirmed = 0;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  channel.on('drain', notify);
  try {
    return await timed(async () => {
      for (let i = 0; i < messages; i++) {
        while (unconfirmed >= RABBIT_DEFAULTS.maxInFlight)
          await new Promise<void>((resolve) => (wake = resolve));
        unconfirmed++;
        const accepted = channel.publish(
          '',
          queue,
          body,
          { contentType: 'application/json', deliveryMode: 1, messageId: String(i) },
          () => {
            unconfirmed--;
            notify();
          },
        );
        if (!accepted) await new Promise<void>((resolve) => (wake = resolve));
      }
      await channel.waitForConfirms();
      return { lines: 0, messages, bytes: messages * size };
    });
  } finally {
    await channel.deleteQueue(queue);
    await connection.close();
  }
}

/**
 * `--path no-transport ROOT THRESHOLD_MB [WORKERS]`, `--path rabbit ROOT [WORKERS]`,
 * `--path raw-amqplib MESSAGES SIZE`. WORKERS: rendering threads (default: one per core, up to 4).
 */
async function child(path: string, args: string[]): Promise<void> {
  const [first = '', second = '0', third] = args;
  let result: PathResult;
  if (path === 'no-transport')
    result = await noTransport(first, Number(second), third === undefined ? undefined : Number(third));
  else if (path === 'rabbit') result = await toRabbit(first, second === '0' ? undefined : Number(second));
  else result = await rawAmqplib(Number(first), Number(second));
  process.send?.(result);
}

// --------------------------------------------------------------------------------------------- parent

async function tree(name: string, linesPerProtocol: number, directories: number): Promise<string> {
  const root = join(here, 'out', 'tstat', name);
  const done = join(root, '.complete');
  if (!existsSync(done)) {
    await rm(root, { recursive: true, force: true });
    const started = Date.now();
    const rows = Math.ceil(linesPerProtocol / directories);
    await generateTstatTree({
      root,
      seed: 42,
      directories,
      tcpRows: rows,
      udpRows: rows,
      bigFlowShare: 0.05,
    });
    await writeFile(done, '');
    console.log(
      `generated ${name}: ${directories} dirs × ${rows} tcp + ${rows} udp lines in ${(Date.now() - started) / 1000} s`,
    );
  }
  return root;
}

async function treeBytes(root: string): Promise<number> {
  let total = 0;
  for (const dir of await readdir(root)) {
    if (!dir.endsWith('.out')) continue;
    for (const file of await readdir(join(root, dir))) total += (await stat(join(root, dir, file))).size;
  }
  return total;
}

/** Runs one path in a fresh process (stdout to /dev/null) and returns what it measured. */
function measurePath(path: string, args: string[]): Promise<PathResult> {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const worker = spawn(process.execPath, ['--import', 'tsx', self, '--path', path, ...args], {
      stdio: ['ignore', devNull, 'inherit', 'ipc'],
    });
    closeSync(devNull);
    let result: PathResult | undefined;
    worker.on('message', (message) => (result = message as PathResult));
    worker.on('error', reject);
    worker.on('exit', (code) =>
      result && code === 0 ? resolve(result) : reject(new Error(`bench path ${path} exited with ${code}`)),
    );
  });
}

const count = (value: number): string => Math.round(value).toLocaleString('en');

function print(label: string, result: PathResult): void {
  const { seconds, cpuSeconds, lines, messages, bytes, peakMiB, note } = result;
  const columns = [
    label.padEnd(44),
    `${seconds.toFixed(2).padStart(7)} s`,
    `cpu ${cpuSeconds.toFixed(2).padStart(6)} s`,
    lines > 0 ? `${count(lines / seconds).padStart(9)} lines/s` : ''.padStart(16),
    lines > 0 ? `${count(lines / cpuSeconds).padStart(9)} lines/cpu-s` : ''.padStart(20),
    `${count(messages / seconds).padStart(7)} msgs/s`,
    `${(bytes / 1e6 / seconds).toFixed(1).padStart(6)} MB/s`,
    `peak ${peakMiB.toFixed(0).padStart(4)} MiB`,
  ];
  console.log(`${columns.join('  ')}${note ? `  (${note})` : ''}`);
}

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function parent(): Promise<void> {
  const big = await tree(`lines-${LINES}`, LINES, DIRS);
  console.log(
    `tstat: ${count(LINES)} tcp + ${count(LINES)} udp lines in ${DIRS} dirs ` +
      `(${((await treeBytes(big)) / 1e6) | 0} MB of logs); load average ${load()}`,
  );
  print('--no-transport -T 1000 (default) > /dev/null', await measurePath('no-transport', [big, '1000']));
  print('--no-transport -T 0 --workers 1 > /dev/null', await measurePath('no-transport', [big, '0', '1']));
  print(
    `--no-transport -T 0 (--workers ${defaultRenderWorkers()}) > /dev/null`,
    await measurePath('no-transport', [big, '0']),
  );

  if (await canConnect(5672)) {
    const small = await tree(`lines-${RABBIT_LINES}`, RABBIT_LINES, 2);
    const broker = brokerPid();
    /** Runs a path and notes the broker's CPU time per message during it: the other half of the cost. */
    const withBroker = async (path: string, args: string[]): Promise<PathResult> => {
      const before = processCpuSeconds(broker);
      const result = await measurePath(path, args);
      const brokerMs = ((processCpuSeconds(broker) - before) * 1000) / result.messages;
      const clientMs = (result.cpuSeconds * 1000) / result.messages;
      const split = `CPU per message: broker ${brokerMs.toFixed(3)} ms, publisher ${clientMs.toFixed(3)} ms`;
      if (!Number.isFinite(brokerMs)) return result;
      return { ...result, note: result.note === undefined ? split : `${result.note}; ${split}` };
    };
    print(
      `rabbit -T 0 --workers 1, confirmed, ${count(2 * RABBIT_LINES)} lines`,
      await withBroker('rabbit', [small, '1']),
    );
    const rabbit = await withBroker('rabbit', [small]);
    print(
      `rabbit -T 0 (--workers ${defaultRenderWorkers()}), confirmed, ${count(2 * RABBIT_LINES)} lines`,
      rabbit,
    );
    const size = Math.round(rabbit.bytes / rabbit.messages);
    print(
      `raw amqplib, ${count(rabbit.messages)} × ${(size / 1000).toFixed(1)} KB (ceiling)`,
      await withBroker('raw-amqplib', [String(rabbit.messages), String(size)]),
    );
  } else console.log('rabbit: skipped, no broker on 127.0.0.1:5672');

  if (existsSync(ORIGINAL) && existsSync('/usr/bin/python3')) {
    const peerLines = 10_000;
    const peer = await tree(`lines-${peerLines}`, peerLines, 1);
    await unmark(peer);
    const config = join(here, 'out', 'tstat', 'config.ini');
    await mkdir(join(here, 'out', 'tstat'), { recursive: true });
    await writeFile(
      config,
      '[rabbit]\nhost = localhost\nport = 5672\nusername = g\npassword = g\nuse_ssl = False\nvhost = /\nqueue = q\nrouting_key = q\nexchange =\n',
    );
    const result = timeCommand('/usr/bin/python3', [ORIGINAL, '-d', peer, '-c', config, '-N', '-T', '0']);
    await unmark(peer);
    if (result && result.stdout.length > 0) {
      console.log(
        `original tstat_send 0.6.5, -N -T 0, ${count(2 * peerLines)} lines: ${result.seconds.toFixed(1)} s wall = ` +
          `${count((2 * peerLines) / result.seconds)} lines/s, peak ${result.peakMiB.toFixed(0)} MiB`,
      );
    } else console.log('original tstat_send 0.6.5: did not run (no output)');
  } else console.log('original tstat_send: not on this machine, skipped');
  console.log(`load average after: ${load()}`);
}

const pathIndex = process.argv.indexOf('--path');
if (pathIndex >= 0) await child(process.argv[pathIndex + 1] ?? '', process.argv.slice(pathIndex + 2));
else await parent();
