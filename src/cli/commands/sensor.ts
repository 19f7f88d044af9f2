/**
 * `netledger sensor [start|stop|status|dump]`: the accounting sensor that writes the Sniffer status file.
 * Without an action it runs in the foreground (what `start` runs detached).
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ConfigError, TimeoutError, UsageError } from '../../model/errors.js';
import {
  SENSOR_DEFAULTS,
  loadSensorConfig,
  pidPath,
  setConfigValue,
  statsPath,
  type SensorConfig,
} from '../../sensor/config.js';
import { isAlive, removePid, runningPid, writePid } from '../../sensor/pidfile.js';
import { runSensor } from '../../sensor/sensor.js';

/** Command-line flag → config key (every key of the original, and netledger's additions). */
const FLAG_KEYS: Record<string, keyof SensorConfig> = {
  piddir: 'piddir',
  sniffer: 'sniffer',
  bpf: 'bpf',
  snaplen: 'snaplen',
  match: 'match',
  nomatch: 'nomatch',
  payload: 'payload',
  port: 'port',
  host: 'host',
  allowed: 'allowed',
  dev: 'dev',
  promisc: 'promisc',
  name: 'name',
  dns: 'dns',
  dnsRate: 'dnsRate',
  dumpEvery: 'dumpEvery',
  tcpdump: 'tcpdump',
};

type SensorFlags = Record<string, string | boolean | undefined> & {
  config?: string;
  read?: string;
  utc?: boolean;
  verbose?: boolean;
  log?: string;
};

async function buildConfig(flags: SensorFlags): Promise<SensorConfig> {
  const config = flags.config === undefined ? { ...SENSOR_DEFAULTS } : await loadSensorConfig(flags.config);
  for (const [flag, key] of Object.entries(FLAG_KEYS)) {
    const value = flags[flag];
    if (value === undefined) continue;
    try {
      setConfigValue(config, key, value === true ? '1' : String(value), `--${flag}`);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  return config;
}

async function runForeground(flags: SensorFlags): Promise<void> {
  const config = await buildConfig(flags);
  const log = (line: string) => process.stderr.write(`netledger sensor: ${line}\n`);
  const pidFile = flags.read === undefined ? pidPath(config) : undefined;
  if (pidFile !== undefined) {
    const running = await runningPid(pidFile);
    if (running !== undefined)
      throw new UsageError(`a sensor is already running (pid ${running}, ${pidFile})`);
    await writePid(pidFile);
  }
  try {
    const sensor = await runSensor({
      config,
      ...(flags.read === undefined ? {} : { read: flags.read }),
      utc: flags.utc ?? false,
      log,
    });
    if (flags.verbose) log(`counters ${JSON.stringify(sensor.counters)}`);
  } finally {
    if (pidFile !== undefined) await removePid(pidFile);
  }
}

async function startDetached(flags: SensorFlags, argv: readonly string[]): Promise<void> {
  const config = await buildConfig(flags);
  const pidFile = pidPath(config);
  const running = await runningPid(pidFile);
  if (running !== undefined) throw new UsageError(`a sensor is already running (pid ${running}, ${pidFile})`);
  const args = argv.slice(1).filter((arg, index) => !(arg === 'start' && argv[index] === 'sensor'));
  const output = flags.log === undefined ? 'ignore' : openSync(flags.log, 'a');
  const child = spawn(process.execPath, [...process.execArgv, ...args], {
    detached: true,
    stdio: ['ignore', output, output],
  });
  child.unref();
  for (let waited = 0; waited < 10_000; waited += 100) {
    if ((await runningPid(pidFile)) !== undefined) {
      process.stdout.write(`sensor started (pid ${child.pid})\n`);
      return;
    }
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new TimeoutError(`the sensor did not start (see ${flags.log ?? 'its output: run without start'})`);
}

async function control(action: string, flags: SensorFlags): Promise<void> {
  const config = await buildConfig(flags);
  const pidFile = pidPath(config);
  const pid = await runningPid(pidFile);
  if (action === 'status') {
    process.stdout.write(
      pid === undefined
        ? `sensor is not running\n`
        : `sensor is running (pid ${pid}), status file ${statsPath(config)}\n`,
    );
    if (pid === undefined) process.exitCode = 3;
    return;
  }
  if (pid === undefined) throw new UsageError(`no sensor is running (no live pid in ${pidFile})`);
  if (action === 'dump') {
    process.kill(pid, 'SIGUSR1');
    process.stdout.write(`dump requested from pid ${pid}\n`);
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 10_000; waited += 100) {
    if (!isAlive(pid)) {
      process.stdout.write(`sensor stopped (pid ${pid})\n`);
      return;
    }
    await sleep(100);
  }
  throw new TimeoutError(`the sensor (pid ${pid}) did not stop within 10 s`);
}

export function register(program: Command): void {
  program
    .command('sensor')
    .description(
      'accounting sensor: per remote IP counters folded into hourly rates, written as a Sniffer status file',
    )
    .argument('[action]', 'start (detached), stop, status or dump; none = run in the foreground')
    .option('--config <file>', "config file with the original's keys (key => value, …)")
    .option(
      '--read <file>',
      'replay a pcap/pcapng file (- = stdin) with its timestamps as now, then dump and exit',
    )
    .option('--piddir <dir>', 'directory of the pid file')
    .option('--sniffer <dir>', 'directory of the status file (STDERR = write dumps to stderr)')
    .option('--bpf <expr>', "capture filter; its 'host X' is the sensor's own address")
    .option('--snaplen <bytes>', 'bytes captured per packet (also the minimum length counted)')
    .option('--match <text>', 'count only packets whose payload contains this (case-insensitive)')
    .option('--nomatch <text>', 'skip packets whose payload contains this')
    .option('--payload <offset>', 'where match/nomatch look, from the packet start')
    .option('--port <port>', 'UDP port of the dump listener')
    .option('--host <address>', 'listen address (INADDR_ANY, INADDR_LOOPBACK, a name or an IP)')
    .option('--allowed <hosts>', 'comma-separated senders allowed to request dumps')
    .option('--dev <iface>', 'capture interface for tcpdump -i')
    .option('--promisc', 'capture in promiscuous mode')
    .option('--name <name>', 'base name of the pid and status files')
    .option('--dns <servers>', 'comma-separated name servers for reverse DNS (default: /etc/resolv.conf)')
    .option('--dns-rate <n>', 'reverse-DNS queries per second at most')
    .option('--dump-every <seconds>', 'also dump every N seconds')
    .option('--tcpdump <path>', 'tcpdump program')
    .option('--utc', 'header times in UTC instead of local time')
    .option('--log <file>', 'with start: append the detached sensor output to this file')
    .option('-v, --verbose', 'print the counters when the sensor ends')
    .action(async (action: string | undefined, flags: SensorFlags) => {
      if (action === undefined) return runForeground(flags);
      if (action === 'start') return startDetached(flags, process.argv);
      if (action === 'stop' || action === 'status' || action === 'dump') return control(action, flags);
      throw new UsageError(`unknown sensor action '${action}': expected start, stop, status or dump`);
    });
}
