/**
 * A small reverse-DNS (PTR) resolver over node:dgram that keeps the answers' TTLs, which node:dns does
 * not expose for PTR. NXDOMAIN answers come back as `:<SOA mname>` like the original daemon stores them.
 * Lookups are queued, deduplicated and rate-limited; the sensor never waits for them.
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { parseIPv6 } from '../model/ip.js';

export const PTR_DEFAULTS = {
  /** Queries sent per second at most. */
  queriesPerSecond: 20,
  /** A query without an answer is given up after this many milliseconds. */
  timeoutMs: 3000,
  /** TTL used when an answer carries none (and for timeouts: retry after this). */
  fallbackTtl: 86400,
  resolvConf: '/etc/resolv.conf',
} as const;

export interface PtrAnswer {
  ip: string;
  names: string[];
  /** Seconds the answer may be kept. */
  ttl: number;
}

/** `4.3.2.1.in-addr.arpa` / nibble form `…ip6.arpa` of an address. */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const value = parseIPv6(ip);
  if (value === undefined) throw new Error(`not an IP address: ${ip}`);
  return `${value.toString(16).padStart(32, '0').split('').reverse().join('.')}.ip6.arpa`;
}

/** A PTR query (recursion desired) for `name` with message id `id`. */
export function buildPtrQuery(id: number, name: string): Buffer {
  const labels = name.split('.').filter((label) => label !== '');
  const question = Buffer.alloc(labels.reduce((sum, label) => sum + 1 + label.length, 1) + 4);
  let at = 0;
  for (const label of labels) {
    question[at++] = label.length;
    at += question.write(label, at, 'ascii');
  }
  question[at++] = 0;
  question.writeUInt16BE(12, at); // PTR
  question.writeUInt16BE(1, at + 2); // IN
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, question]);
}

/** Reads a possibly compressed domain name at `offset`; returns it and the offset after it. */
function readName(message: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let at = offset;
  let next = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (at >= message.length) throw new Error('name runs past the message');
    const length = message[at]!;
    if (length === 0) {
      if (next < 0) next = at + 1;
      return { name: labels.join('.'), next };
    }
    if ((length & 0xc0) === 0xc0) {
      if (next < 0) next = at + 2;
      at = ((length & 0x3f) << 8) | message[at + 1]!;
      continue;
    }
    labels.push(message.toString('latin1', at + 1, at + 1 + length));
    at += 1 + length;
  }
  throw new Error('name compression loop');
}

export interface ParsedPtrResponse {
  id: number;
  rcode: number;
  names: string[];
  ttl: number;
}

/** Parses a response: PTR answers (minimum TTL), or for NXDOMAIN the SOA's mname as `:mname`. */
export function parsePtrResponse(message: Buffer): ParsedPtrResponse {
  if (message.length < 12) throw new Error('short DNS message');
  const id = message.readUInt16BE(0);
  const rcode = message[3]! & 0x0f;
  const questions = message.readUInt16BE(4);
  const answers = message.readUInt16BE(6);
  const authorities = message.readUInt16BE(8);
  let at = 12;
  for (let i = 0; i < questions; i++) at = readName(message, at).next + 4;
  const names: string[] = [];
  let ttl = Number.POSITIVE_INFINITY;
  let soa: { mname: string; ttl: number } | undefined;
  for (let i = 0; i < answers + authorities; i++) {
    const owner = readName(message, at);
    at = owner.next;
    const type = message.readUInt16BE(at);
    const recordTtl = message.readUInt32BE(at + 4);
    const length = message.readUInt16BE(at + 8);
    const data = at + 10;
    if (i < answers && type === 12) {
      names.push(readName(message, data).name);
      ttl = Math.min(ttl, recordTtl);
    } else if (i >= answers && type === 6 && soa === undefined) {
      soa = { mname: readName(message, data).name, ttl: recordTtl };
    }
    at = data + length;
  }
  if (rcode === 3) {
    return {
      id,
      rcode,
      names: soa === undefined ? [] : [`:${soa.mname}`],
      ttl: soa?.ttl ?? PTR_DEFAULTS.fallbackTtl,
    };
  }
  // The original keeps names inside in-addr.arpa only when they are the only answers.
  const real = names.filter((name) => !name.includes('in-addr.arpa'));
  return {
    id,
    rcode,
    names: real.length > 0 ? real : names,
    ttl: Number.isFinite(ttl) ? ttl : PTR_DEFAULTS.fallbackTtl,
  };
}

/** Name servers from resolv.conf (`nameserver` lines), IPv4 and IPv6. */
export async function systemNameServers(path: string = PTR_DEFAULTS.resolvConf): Promise<string[]> {
  try {
    const text = await readFile(path, 'utf8');
    return [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)]
      .map((match) => match[1]!)
      .filter((ip) => isIP(ip) !== 0);
  } catch {
    return [];
  }
}

export interface PtrResolverOptions {
  /** `ip` or `ip:port` / `[ip6]:port` of the servers to ask (first one; the others on timeout). */
  servers: string[];
  queriesPerSecond?: number;
  timeoutMs?: number;
  onAnswer: (answer: PtrAnswer) => void;
}

function splitServer(server: string): { host: string; port: number } {
  const bracketed = /^\[(.+)\]:(\d+)$/.exec(server);
  if (bracketed) return { host: bracketed[1]!, port: Number(bracketed[2]) };
  const v4 = /^([\d.]+):(\d+)$/.exec(server);
  if (v4) return { host: v4[1]!, port: Number(v4[2]) };
  return { host: server, port: 53 };
}

interface Pending {
  ip: string;
  timer: NodeJS.Timeout;
  attempt: number;
}

/** Asynchronous, rate-limited PTR lookups; answers (and give-ups) arrive through `onAnswer`. */
export class PtrResolver {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private readonly sockets = new Map<4 | 6, Socket>();
  private nextId = Math.floor(Math.random() * 65536);
  private pump: NodeJS.Timeout | undefined;
  private closed = false;
  /** Lookups sent, answered, timed out, dropped (queue full): for `status`. */
  readonly counters = { sent: 0, answered: 0, timedOut: 0 };

  constructor(private readonly options: PtrResolverOptions) {}

  /** Queues a lookup of `ip` (ignored when one is already queued or in flight). */
  lookup(ip: string): void {
    if (this.closed || this.options.servers.length === 0 || this.queued.has(ip)) return;
    this.queued.add(ip);
    this.queue.push(ip);
    if (this.pump === undefined) {
      this.send();
      const interval = 1000 / (this.options.queriesPerSecond ?? PTR_DEFAULTS.queriesPerSecond);
      this.pump = setInterval(() => this.send(), interval);
      this.pump.unref();
    }
  }

  private socketFor(family: 4 | 6): Socket {
    let socket = this.sockets.get(family);
    if (socket === undefined) {
      socket = createSocket(family === 4 ? 'udp4' : 'udp6');
      socket.on('message', (message) => this.receive(message));
      socket.on('error', () => undefined); // a lost query is retried or timed out
      socket.unref();
      this.sockets.set(family, socket);
    }
    return socket;
  }

  private send(ip?: string, attempt = 0): void {
    const target = ip ?? this.queue.shift();
    if (target === undefined) {
      if (this.pump !== undefined && this.pending.size === 0) {
        clearInterval(this.pump);
        this.pump = undefined;
      }
      return;
    }
    const id = this.nextId++ & 0xffff;
    const server = splitServer(this.options.servers[attempt % this.options.servers.length]!);
    const family = isIP(server.host) === 6 ? 6 : 4;
    const timer = setTimeout(() => this.expire(id), this.options.timeoutMs ?? PTR_DEFAULTS.timeoutMs);
    timer.unref();
    this.pending.set(id, { ip: target, timer, attempt });
    this.counters.sent++;
    this.socketFor(family).send(buildPtrQuery(id, reverseName(target)), server.port, server.host);
  }

  private expire(id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    if (pending.attempt + 1 < this.options.servers.length) {
      this.send(pending.ip, pending.attempt + 1);
      return;
    }
    this.counters.timedOut++;
    this.queued.delete(pending.ip);
  }

  private receive(message: Buffer): void {
    let parsed: ParsedPtrResponse;
    try {
      parsed = parsePtrResponse(message);
    } catch {
      return; // malformed answers are ignored; the query times out
    }
    const pending = this.pending.get(parsed.id);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.pending.delete(parsed.id);
    this.queued.delete(pending.ip);
    this.counters.answered++;
    this.options.onAnswer({ ip: pending.ip, names: parsed.names, ttl: parsed.ttl });
  }

  /** Resolves when nothing is queued or in flight, or after `maxMs`. */
  async drain(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    while ((this.queue.length > 0 || this.pending.size > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.closed = true;
    if (this.pump !== undefined) clearInterval(this.pump);
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
  }
}
