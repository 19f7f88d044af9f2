/**
 * tstat send: a seeded tree of 1M TCP + 1M UDP lines (bench/out/tstat, generated once), then
 *  1. --no-transport to /dev/null at --threshold 0 (every line gives 2 objects: the JSON worst case) and at
 *     the default threshold (1000 MB: few objects, mostly parsing);
 *  2. the rabbit transport to the local broker (127.0.0.1:5672) for a part of the tree, confirmed;
 *  3. the original tstat_send 0.6.5 on a small tree, when its reference copy is on this machine.
 * Sizes: TSTAT_BENCH_LINES (per protocol, default 1,000,000), TSTAT_BENCH_RABBIT_LINES (default 200,000).
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SILENT_LOG } from '../src/cli/tstat/log.js';
import { sendTstatTree } from '../src/cli/tstat/send.js';
import { RabbitSink } from '../src/sinks/rabbit.js';
import { StdoutSink } from '../src/sinks/stdout.js';
import type { RabbitSettings } from '../src/sinks/config.js';
import { generateTstatTree } from '../test/tstat/generate.js';
import { canConnect } from '../test/support/services.js';
import { peakRssMiB, printMeasurement, timeCommand } from './lib/measure.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const LINES = Number(process.env.TSTAT_BENCH_LINES ?? 1_000_000);
const RABBIT_LINES = Number(process.env.TSTAT_BENCH_RABBIT_LINES ?? 200_000);
const DIRS = 10;
const ORIGINAL = process.env.TSTAT_ORIGINAL ?? '/work/shared/reference/tstat/run_original.py';

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

/** Removes the .processed marks so the tree can be sent again. */
async function unmark(root: string): Promise<void> {
  for (const entry of await readdir(root)) {
    if (entry.endsWith('.out')) await rm(join(root, entry, '.processed'), { force: true });
  }
}

/** The machine is shared: lines per CPU-second of this process is the figure that does not depend on load. */
function cpuRate(since: NodeJS.CpuUsage, lines: number): string {
  const used = process.cpuUsage(since);
  const seconds = (used.user + used.system) / 1e6;
  return `cpu ${seconds.toFixed(1)} s = ${Math.round(lines / seconds).toLocaleString('en')} lines per cpu-s`;
}

async function toDevNull(root: string, thresholdMB: number, lines: number): Promise<void> {
  await unmark(root);
  const stream = createWriteStream('/dev/null');
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const summary = await sendTstatTree({
    directory: root,
    sink: new StdoutSink(stream),
    thresholdMB,
    sensorId: 'bench',
    instanceId: 0,
    log: SILENT_LOG,
  });
  await new Promise<void>((resolve) => stream.end(resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  printMeasurement(
    { label: `--no-transport -T ${thresholdMB} → /dev/null`, seconds, units: lines, unit: 'lines' },
    `${summary.objects.toLocaleString('en')} objects, ${summary.messages.toLocaleString('en')} messages, ${cpuRate(cpu, lines)}`,
  );
}

async function toRabbit(root: string, lines: number): Promise<void> {
  if (!(await canConnect(5672))) {
    console.log('rabbit: skipped, no broker on 127.0.0.1:5672');
    return;
  }
  await unmark(root);
  const queue = `nl-tstat-bench-${process.pid}`;
  const settings: RabbitSettings = {
    host: '127.0.0.1',
    port: 5672,
    username: 'guest',
    password: 'guest',
    useSsl: false,
    vhost: '/',
    queue,
    routingKey: queue,
    exchange: '',
    // The broker keeps only the newest messages (drop-head still confirms): its memory stays bounded.
    queueOptions: { autoDelete: false, arguments: { 'x-max-length': 500 } },
    tls: { verify: true },
    reconnectAttempts: 0,
    reconnectDelayMs: 100,
    confirmTimeoutMs: 120_000,
  };
  const sink = new RabbitSink(settings);
  await sink.open();
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const summary = await sendTstatTree({
    directory: root,
    sink,
    thresholdMB: 0,
    sensorId: 'bench',
    instanceId: 0,
    log: SILENT_LOG,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const mb = sink.counters.confirmed > 0 ? summary.objects : 0;
  printMeasurement(
    { label: 'rabbit, confirmed, -T 0', seconds, units: sink.counters.confirmed, unit: 'messages' },
    `${Math.round(lines / seconds).toLocaleString('en')} lines/s, ${mb.toLocaleString('en')} objects, ` +
      `${(sink.counters.bytes / 1e6 / seconds).toFixed(1)} MB/s of JSON, ${cpuRate(cpu, lines)}`,
  );
  const amqp = await import('amqplib');
  const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  await channel.deleteQueue(queue);
  await connection.close();
  await sink.close();
}

function original(): void {
  if (!existsSync(ORIGINAL) || !existsSync('/usr/bin/python3')) {
    console.log('original tstat_send: not on this machine, skipped');
    return;
  }
  return undefined;
}

console.log(`tstat: ${LINES.toLocaleString('en')} tcp + ${LINES.toLocaleString('en')} udp lines`);
const big = await tree(`lines-${LINES}`, LINES, DIRS);
await toDevNull(big, 0, 2 * LINES);
await toDevNull(big, 1000, 2 * LINES);
const small = await tree(`lines-${RABBIT_LINES}`, RABBIT_LINES, 2);
await toRabbit(small, 2 * RABBIT_LINES);
console.log(`peak RSS of the benchmark process: ${peakRssMiB().toFixed(0)} MiB`);

if (original() === undefined && existsSync(ORIGINAL)) {
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
  if (result) {
    console.log(
      `original tstat_send 0.6.5, -N -T 0, ${2 * peerLines} lines: ${result.seconds.toFixed(1)} s = ` +
        `${Math.round((2 * peerLines) / result.seconds).toLocaleString('en')} lines/s, peak ${result.peakMiB.toFixed(0)} MiB`,
    );
  }
}
