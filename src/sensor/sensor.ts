/**
 * The accounting sensor: Net::Connection::Sniffer's daemon on netledger's pcap engine.
 *
 * Packets come from `tcpdump -i DEV -U -w - FILTER` (tcpdump does the privileged capture) or from a
 * capture file replayed with its own timestamps as "now". Each accepted packet is counted for the remote
 * address (see {@link SensorStats}); new and expired addresses are queued for reverse DNS, which answers
 * later and never blocks counting. Dumps write the status file in the daemon's layout, atomically.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { writeFileAtomic } from '../io/atomic.js';
import { ConfigError, IoError, MissingToolError, NetworkError, fromFsError } from '../model/errors.js';
import { formatIPv4, parseIPv4 } from '../model/ip.js';
import { headerValues } from '../sources/sniffer/header.js';
import { readStatusFile } from '../sources/sniffer/read.js';
import type { DaemonHeader } from '../sources/sniffer/status.js';
import { formatDaemonStatus } from '../sources/sniffer/write.js';
import { BpfFilter } from '../sources/pcap/bpf.js';
import { decodeFrame, newDecodedPacket } from '../sources/pcap/decode.js';
import { readCapture, type Frame } from '../sources/pcap/frames.js';
import { statsPath, validateSensorConfig, type SensorConfig } from './config.js';
import { PtrResolver, systemNameServers, type PtrAnswer } from './ptr.js';
import { FOLD_DEFAULTS, SensorStats } from './stats.js';
import { access } from 'node:fs/promises';

export interface SensorOptions {
  config: SensorConfig;
  /** Replay this capture (`-` = stdin) instead of capturing live; packet times are "now". */
  read?: string;
  /** Format header times in UTC instead of local time. */
  utc?: boolean;
  /** Progress and warnings (one line each). */
  log?: (line: string) => void;
}

/** Why packets were not counted, for `--verbose` and tests. */
export interface SensorCounters {
  packets: number;
  counted: number;
  notIPv4: number;
  ipOptions: number;
  fragments: number;
  shorterThanSnaplen: number;
  payloadRule: number;
  filtered: number;
  dumps: number;
  refusedRequests: number;
}

/** After a replay, wait at most this long for outstanding reverse-DNS answers. */
const SENSOR_REPLAY_DNS_WAIT_MS = 10_000;

const LISTEN_ALIASES: Record<string, string> = { INADDR_ANY: '0.0.0.0', INADDR_LOOPBACK: '127.0.0.1' };

async function resolveIPv4(name: string, what: string): Promise<string> {
  const alias = LISTEN_ALIASES[name];
  if (alias !== undefined) return alias;
  if (isIP(name) !== 0) return name;
  try {
    return (await lookup(name, { family: 4 })).address;
  } catch (error) {
    throw new ConfigError(`${what}: cannot resolve '${name}' (${(error as Error).message})`);
  }
}

export class Sensor {
  readonly stats: SensorStats;
  readonly counters: SensorCounters = {
    packets: 0,
    counted: 0,
    notIPv4: 0,
    ipOptions: 0,
    fragments: 0,
    shorterThanSnaplen: 0,
    payloadRule: 0,
    filtered: 0,
    dumps: 0,
    refusedRequests: 0,
  };
  private me = 0;
  private readonly config: SensorConfig;
  private readonly log: (line: string) => void;
  private readonly packet = newDecodedPacket();
  private resolver: PtrResolver | undefined;
  private control: Socket | undefined;
  private allowed = new Set<string>();
  private tcpdump: ChildProcess | undefined;
  private filter: BpfFilter | undefined;
  private dumpChain: Promise<void> = Promise.resolve();
  private nextPeriodicDump = 0;
  private stopping = false;
  /** A replay starts collecting at its first packet's time (unless it resumed a status file). */
  private startAtFirstPacket: boolean;
  private readonly match: string | undefined;
  private readonly nomatch: string | undefined;

  constructor(private readonly options: SensorOptions) {
    this.config = options.config;
    this.log = options.log ?? (() => undefined);
    this.stats = new SensorStats(Math.floor(Date.now() / 1000));
    this.match = this.config.match?.toLowerCase();
    this.nomatch = this.config.nomatch?.toLowerCase();
    this.startAtFirstPacket = options.read !== undefined;
  }

  /** Resolves names, resumes from the last status file, opens the dump listener and the resolver. */
  async open(): Promise<void> {
    const meName = validateSensorConfig(this.config);
    this.me = parseIPv4(await resolveIPv4(meName, 'bpf host'))!;
    await this.resume();
    const servers = this.config.dns.length > 0 ? this.config.dns : await systemNameServers();
    this.resolver = new PtrResolver({
      servers,
      queriesPerSecond: this.config.dnsRate,
      onAnswer: (answer) => this.onPtrAnswer(answer),
    });
    for (const host of this.config.allowed) this.allowed.add(await resolveIPv4(host, 'allowed'));
    if (this.config.port > 0) await this.listen();
    if (this.options.read !== undefined) this.filter = new BpfFilter(this.config.bpf, this.config.tcpdump);
  }

  private async resume(): Promise<void> {
    if (this.config.sniffer === 'STDERR') return;
    const file = statsPath(this.config);
    try {
      await access(file);
    } catch {
      return;
    }
    const status = await readStatusFile(file);
    const { start, hitsPerMinute = 0, bytesPerSecond = 0 } = headerValues(status.header);
    if (start !== undefined) this.stats.reset(start);
    this.startAtFirstPacket = false;
    this.stats.rate = hitsPerMinute * 60;
    this.stats.bw = bytesPerSecond * 3600;
    this.stats.restore(status.entries);
    this.log(`resumed ${status.entries.length} addresses from ${file}`);
  }

  private async listen(): Promise<void> {
    const address = await resolveIPv4(this.config.host, 'host');
    const socket = createSocket('udp4');
    socket.on('message', (message, sender) => this.onRequest(message, sender));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (error) =>
        reject(new NetworkError(`cannot listen on ${address}:${this.config.port}: ${error.message}`, error)),
      );
      socket.bind(this.config.port, address, () => resolve());
    });
    this.control = socket;
    this.log(`listening for dump requests on ${address}:${this.config.port}`);
  }

  /** UDP control: `dump` from an allowed sender → dump, `OK <epoch>`; other text → `??`; others: silence. */
  private onRequest(message: Buffer, sender: RemoteInfo): void {
    if (!this.allowed.has(sender.address)) {
      this.counters.refusedRequests++;
      return;
    }
    const reply = (text: string) => this.control?.send(text, sender.port, sender.address);
    if (!message.toString('latin1').startsWith('dump')) {
      reply('??');
      return;
    }
    void this.dump().then(
      () => reply(`OK ${this.currentTime()}`),
      (error: unknown) => this.log(`dump failed: ${(error as Error).message}`),
    );
  }

  private onPtrAnswer(answer: PtrAnswer): void {
    const entry = this.stats.entries.get(answer.ip);
    if (entry === undefined) return;
    entry.names = answer.names;
    entry.ptrExpiry = this.currentTime() + answer.ttl;
  }

  private currentTime(): number {
    return this.options.read === undefined ? Math.floor(Date.now() / 1000) : this.stats.now;
  }

  /** The per-packet rules of `sniffit`, then the fold. */
  private onFrame(frame: Frame): void {
    const counters = this.counters;
    counters.packets++;
    const filter = this.filter;
    if (
      filter !== undefined &&
      !filter.matches(frame.linkType, frame.data, frame.offset, frame.capturedLength, frame.wireLength)
    ) {
      counters.filtered++;
      return;
    }
    const packet = this.packet;
    if (!decodeFrame(frame, packet) || packet.ipVersion !== 4) {
      counters.notIPv4++;
      return;
    }
    const data = frame.data;
    const ip = packet.ipOffset;
    if ((data[ip]! & 0x0f) !== 5) {
      counters.ipOptions++;
      return;
    }
    if ((((data[ip + 6]! << 8) | data[ip + 7]!) & 0x1fff) !== 0) {
      counters.fragments++;
      return;
    }
    if (frame.wireLength < this.config.snaplen) {
      counters.shorterThanSnaplen++;
      return;
    }
    if (this.match !== undefined || this.nomatch !== undefined) {
      const from = frame.offset + this.config.payload;
      const to = frame.offset + Math.min(frame.capturedLength, this.config.snaplen);
      const haystack = from < to ? data.toString('latin1', from, to).toLowerCase() : '';
      if (
        (this.match !== undefined && !haystack.includes(this.match)) ||
        (this.nomatch !== undefined && haystack.includes(this.nomatch))
      ) {
        counters.payloadRule++;
        return;
      }
    }
    const target = packet.src4 === this.me ? packet.dst4 : packet.src4;
    const now = this.options.read === undefined ? Math.floor(Date.now() / 1000) : Math.floor(frame.time);
    if (this.startAtFirstPacket) {
      this.startAtFirstPacket = false;
      this.stats.reset(now);
    }
    const address = formatIPv4(target);
    const entry = this.stats.count(address, frame.wireLength, now);
    counters.counted++;
    if (entry.ptrExpiry < now) {
      // The original marks a lookup as sent by pushing the expiry a day ahead; the answer sets the TTL.
      entry.ptrExpiry = now + FOLD_DEFAULTS.oneDay;
      this.resolver?.lookup(address);
    }
    this.stats.purgeIfDue(now);
    if (this.config.dumpEvery > 0 && this.options.read !== undefined) {
      if (this.nextPeriodicDump === 0) this.nextPeriodicDump = now + this.config.dumpEvery;
      else if (now >= this.nextPeriodicDump) {
        this.nextPeriodicDump = now + this.config.dumpEvery;
        void this.dump();
      }
    }
  }

  header(): DaemonHeader {
    const config = this.config;
    const header: DaemonHeader = {
      version: '0.36',
      start: this.stats.start,
      current: this.currentTime(),
      hitsPerMinute: this.stats.rate / 60,
      bytesPerSecond: this.stats.bw / 3600,
      device: this.options.read === undefined ? config.dev : this.options.read,
      promiscuous: config.promisc,
      bpf: config.bpf,
    };
    if (config.match !== undefined || config.nomatch !== undefined) {
      header.fragment = { payloadOffset: config.payload, snaplen: config.snaplen };
      if (config.match !== undefined) header.contains = config.match;
      if (config.nomatch !== undefined) header.excludes = config.nomatch;
    }
    return header;
  }

  /** Writes the status file (dumps are serialised: one at a time, in order). */
  dump(): Promise<void> {
    const text = formatDaemonStatus(
      this.header(),
      [...this.stats.entries.values()],
      this.options.utc ?? false,
    );
    this.dumpChain = this.dumpChain.then(async () => {
      if (this.config.sniffer === 'STDERR') process.stderr.write(text);
      else await writeFileAtomic(statsPath(this.config), text);
      this.counters.dumps++;
    });
    return this.dumpChain;
  }

  /** SIGHUP: dump, then start collecting afresh. */
  async dumpAndReset(): Promise<void> {
    const done = this.dump();
    this.stats.reset(this.currentTime());
    await done;
  }

  /** Counts packets until the capture ends (replay) or {@link stop} is called (live). */
  async run(): Promise<void> {
    const onFrame = (frame: Frame) => this.onFrame(frame);
    if (this.options.read !== undefined) {
      const summary = await readCapture(this.options.read, onFrame, {
        onLinkType: (linkType) => this.filter?.prepare(linkType),
      });
      this.log(`replayed ${summary.read} packets, counted ${this.counters.counted}`);
      // Give the lookups of the replay a chance to land in the final dump.
      await this.resolver?.drain(SENSOR_REPLAY_DNS_WAIT_MS);
      return;
    }
    // Live: periodic dumps by the clock (a replay dumps by packet time, in onFrame).
    const periodic =
      this.config.dumpEvery > 0
        ? setInterval(() => void this.dump(), this.config.dumpEvery * 1000)
        : undefined;
    try {
      await this.capture(onFrame);
    } finally {
      if (periodic !== undefined) clearInterval(periodic);
    }
  }

  private async capture(onFrame: (frame: Frame) => void): Promise<void> {
    const config = this.config;
    // --immediate-mode: without it TPACKET_V3 hands packets over in blocks up to a second late.
    const args = ['-i', config.dev, '-U', '--immediate-mode', '-w', '-', '-s', String(config.snaplen)];
    if (!config.promisc) args.push('-p');
    args.push(config.bpf);
    const child = spawn(config.tcpdump, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.tcpdump = child;
    let errorText = '';
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new MissingToolError('tcpdump', 'tcpdump') : error),
      );
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      errorText += text;
      for (const line of text.split('\n')) {
        if (line.includes('listening on')) this.log(`capturing: ${line}`);
      }
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await spawned;
    await readCapture(child.stdout!, onFrame, { name: 'tcpdump' });
    const code = await exited;
    if (!this.stopping && code !== 0) {
      const reason = errorText.trim().split('\n').pop() ?? '';
      throw new IoError(`tcpdump exited with status ${code}: ${reason}`, config.dev);
    }
  }

  /** Stops the capture (the run() promise then resolves) and closes sockets. */
  stop(): void {
    this.stopping = true;
    this.tcpdump?.kill('SIGTERM');
    this.close();
  }

  close(): void {
    this.resolver?.close();
    this.control?.close();
    this.control = undefined;
  }
}

/** Runs a sensor with the daemon's signal handling until it is told to stop (or the replay ends). */
export async function runSensor(options: SensorOptions, onReady?: (sensor: Sensor) => void): Promise<Sensor> {
  const sensor = new Sensor(options);
  await sensor.open();
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGUSR1', () => void sensor.dump()],
    ['SIGHUP', () => void sensor.dumpAndReset()],
    ['SIGTERM', () => sensor.stop()],
    ['SIGINT', () => sensor.stop()],
    ['SIGQUIT', () => sensor.stop()],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  onReady?.(sensor);
  let failure: unknown;
  try {
    await sensor.run();
  } catch (error) {
    failure = error;
  }
  for (const [signal, handler] of handlers) process.off(signal, handler);
  sensor.close();
  // SIGTERM/SIGINT and the end of a replay: dump, then exit.
  try {
    await sensor.dump();
  } catch (error) {
    failure ??= fromFsError(error, statsPath(options.config));
  }
  if (failure !== undefined) throw failure;
  return sensor;
}
