/**
 * Crash fuzz of every source adapter: small valid files from the seeded generators, mutated with seeded
 * byte edits (flip, replace, delete, duplicate, insert, truncate; for text also odd numbers and whole
 * lines; for binary formats length and size fields overwritten with 0, huge and negative-looking values),
 * each read through the adapter's `read(path, { fromOffset: 0 })` to the end. A case passes when the read
 * completes with records the model allows (finite integer counters ≥ 0, start ≤ end) or throws a
 * NetledgerError whose one-line description names the file. A TypeError, RangeError, any other exception,
 * or a case running over its time (a reader in a loop: the worker thread is then terminated) fails.
 *
 * Reproduce one case with `FUZZ_CASE=pcap:17 npx vitest run test/ledger/readers-fuzz.test.ts`: it runs
 * that case only, prints its mutation and keeps the mutated file. `FUZZ_RUNS=N` changes the runs per format.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDaemonStatus, formatDumperBody } from '../../src/sources/sniffer/write.js';
import { captureToArgus, generateScenario } from '../gen/argus-scenario.js';
import {
  fragmentIPv4,
  frameFor,
  LINK,
  linkFrame,
  pcapFile,
  pcapngSection,
  withIPv4Options,
  withIPv6Extensions,
  type CapturedFrame,
} from '../gen/capture.js';
import { buildIpPacket, type PacketSpec } from '../gen/packets.js';
import { SeededRandom } from '../gen/random.js';
import { generateStatus } from '../gen/sniffer-status.js';
import { generateTstatTree } from '../tstat/generate.js';
import { generateRecords, toNdjson } from './generate.js';
import type { FuzzReply, FuzzRequest } from './readers-fuzz.worker.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const ONLY = process.env.FUZZ_CASE?.split(':');
/** A case reading a file of a few kB has no business running longer than this. */
const CASE_MS = 3000;

type Format = 'ndjson' | 'pcap' | 'pcapng' | 'fwctl' | 'sniffer' | 'argus' | 'tstat';
/** Per format: the adapter that reads it, whether it is text, its seed of the mutation streams. */
const FORMATS: Record<Format, { adapter: string; text: boolean; seed: number }> = {
  ndjson: { adapter: 'ndjson', text: true, seed: 1_000_000 },
  pcap: { adapter: 'pcap', text: false, seed: 2_000_000 },
  pcapng: { adapter: 'pcap', text: false, seed: 3_000_000 },
  fwctl: { adapter: 'fwctl', text: true, seed: 4_000_000 },
  sniffer: { adapter: 'sniffer', text: true, seed: 5_000_000 },
  argus: { adapter: 'argus', text: false, seed: 6_000_000 },
  tstat: { adapter: 'tstat', text: true, seed: 7_000_000 },
};

/** A valid input and, for binary formats, where its length/size fields are (offset, width, byte order). */
interface SeedFile {
  name: string;
  bytes: Buffer;
  fields: Field[];
}
interface Field {
  offset: number;
  width: 1 | 2 | 4;
  littleEndian: boolean;
  what: string;
}

// ---------------------------------------------------------------------------------------------- seeds

function ndjsonSeeds(): SeedFile[] {
  return [1, 2].map((seed) => ({
    name: `records-${seed}`,
    bytes: Buffer.from(toNdjson(generateRecords(12, seed))),
    fields: [],
  }));
}

const SPECS: PacketSpec[] = [
  { time: 1000.25, src: '192.0.2.1', dst: '198.51.100.2', proto: 17, sport: 5000, dport: 53, payload: 20 },
  { time: 1000.5, src: '198.51.100.2', dst: '192.0.2.1', proto: 17, sport: 53, dport: 5000, payload: 60 },
  {
    time: 1001,
    src: '10.0.0.5',
    dst: '10.0.0.6',
    proto: 6,
    sport: 40000,
    dport: 443,
    payload: 100,
    vlans: [7],
  },
  { time: 1001.75, src: '2001:db8::1', dst: '2001:db8::2', proto: 6, sport: 1234, dport: 80, payload: 40 },
  { time: 1002, src: '10.0.0.5', dst: '192.0.2.9', proto: 1, payload: 16, vlans: [100, 200] },
  { time: 1003, src: '2001:db8::2', dst: '2001:db8::1', proto: 58, payload: 8 },
  { time: 1004, src: '192.0.2.1', dst: '192.0.2.2', proto: 47, payload: 12 },
];

function pcapFrames(linkType: number): CapturedFrame[] {
  const frames = SPECS.map((spec) => ({ time: spec.time, frame: frameFor(linkType, spec) }));
  const udp = SPECS[0]!;
  const v6 = SPECS[3]!;
  // IP options, a fragmented datagram and IPv6 extension headers: more length fields to mutate.
  frames.push({ time: 1005, frame: linkFrame(linkType, withIPv4Options(buildIpPacket(udp), 8)) });
  for (const fragment of fragmentIPv4(buildIpPacket({ ...udp, payload: 200 }), 96)) {
    frames.push({ time: 1006, frame: linkFrame(linkType, fragment) });
  }
  frames.push({ time: 1007, frame: linkFrame(linkType, withIPv6Extensions(buildIpPacket(v6), [0, 60])) });
  return frames;
}

function pcapFields(bytes: Buffer): Field[] {
  const magic = bytes.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const fields: Field[] = [
    { offset: 4, width: 2, littleEndian, what: 'version major' },
    { offset: 16, width: 4, littleEndian, what: 'snaplen' },
    { offset: 20, width: 4, littleEndian, what: 'link type' },
  ];
  const read = (at: number) => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  for (let at = 24; at + 16 <= bytes.length; at += 16 + read(at + 8)) {
    fields.push(
      { offset: at, width: 4, littleEndian, what: 'ts seconds' },
      { offset: at + 4, width: 4, littleEndian, what: 'ts fraction' },
      { offset: at + 8, width: 4, littleEndian, what: 'captured length' },
      { offset: at + 12, width: 4, littleEndian, what: 'original length' },
    );
  }
  return fields;
}

function pcapSeeds(): SeedFile[] {
  const make = (name: string, linkType: number, options: Parameters<typeof pcapFile>[1]): SeedFile => {
    const bytes = pcapFile(pcapFrames(linkType), { linkType, ...options });
    return { name, bytes, fields: pcapFields(bytes) };
  };
  return [
    make('ethernet-le-us', LINK.ETHERNET, {}),
    make('sll2-be-ns', LINK.SLL2, { littleEndian: false, nanoseconds: true }),
    make('raw-le-snap96', LINK.RAW, { snaplen: 96 }),
    make('null-be', LINK.NULL, { littleEndian: false }),
  ];
}

function pcapngFields(bytes: Buffer, littleEndian: boolean): Field[] {
  const fields: Field[] = [];
  const read = (at: number) => (littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  for (let at = 0; at + 12 <= bytes.length;) {
    const type = read(at);
    const length = read(at + 4);
    fields.push(
      { offset: at, width: 4, littleEndian, what: `block type (${type})` },
      { offset: at + 4, width: 4, littleEndian, what: `block length (${type})` },
      { offset: at + length - 4, width: 4, littleEndian, what: `trailing block length (${type})` },
    );
    if (type === 0x0a0d0d0a) {
      fields.push(
        { offset: at + 8, width: 4, littleEndian, what: 'byte-order magic' },
        { offset: at + 16, width: 4, littleEndian, what: 'section length' },
        { offset: at + 20, width: 4, littleEndian, what: 'section length high' },
      );
    } else if (type === 1) {
      fields.push(
        { offset: at + 8, width: 2, littleEndian, what: 'IDB link type' },
        { offset: at + 12, width: 4, littleEndian, what: 'IDB snaplen' },
        { offset: at + 16, width: 2, littleEndian, what: 'IDB option code' },
        { offset: at + 18, width: 2, littleEndian, what: 'IDB option length' },
        { offset: at + 20, width: 1, littleEndian, what: 'if_tsresol' },
      );
    } else if (type === 6 || type === 2) {
      fields.push(
        { offset: at + 8, width: type === 6 ? 4 : 2, littleEndian, what: 'interface id' },
        { offset: at + 12, width: 4, littleEndian, what: 'timestamp high' },
        { offset: at + 20, width: 4, littleEndian, what: 'captured length' },
        { offset: at + 24, width: 4, littleEndian, what: 'original length' },
      );
    } else if (type === 3) {
      fields.push({ offset: at + 8, width: 4, littleEndian, what: 'SPB original length' });
    }
    if (length < 12) break;
    at += length;
  }
  return fields;
}

function pcapngSeeds(): SeedFile[] {
  const frames = pcapFrames(LINK.ETHERNET);
  const raw = pcapFrames(LINK.RAW);
  const blocks = [
    ...frames
      .slice(0, 6)
      .map((frame, index) => ({ ...frame, kind: index === 4 ? ('opb' as const) : undefined })),
    ...raw.slice(0, 4).map((frame, index) => ({
      ...frame,
      interfaceId: 1,
      kind: index === 2 ? ('spb' as const) : undefined,
    })),
  ];
  const interfaces = [{ linkType: LINK.ETHERNET, tsresol: 9 }, { linkType: LINK.RAW }];
  const le = pcapngSection(interfaces, blocks, true);
  const be = pcapngSection([{ linkType: LINK.ETHERNET, snaplen: 80 }], frames.slice(6), false);
  const both = Buffer.concat([le, be]);
  return [
    { name: 'two-interfaces-le', bytes: le, fields: pcapngFields(le, true) },
    {
      name: 'le-then-be-section',
      bytes: both,
      fields: [
        ...pcapngFields(le, true),
        ...pcapngFields(be, false).map((f) => ({ ...f, offset: f.offset + le.length })),
      ],
    },
  ];
}

function fwctlSeeds(): SeedFile[] {
  return [11, 12].map((seed) => {
    const random = new SeededRandom(seed);
    const chains = ['acct0000 web', 'acct0001 mail', 'acct0002', 'acct0003 dns server'];
    const totals = chains.map(() => [0, 0]);
    const lines: string[] = [];
    for (let dump = 0; dump < 5; dump++) {
      const time = 954583200 + dump * 3600;
      chains.forEach((chain, index) => {
        const total = totals[index]!;
        if (random.next() < 0.1) total.splice(0, 2, 0, 0); // a counter reset
        total[0]! += random.int(0, 5000);
        total[1]! += random.int(0, 5_000_000);
        const [id, ...name] = chain.split(' ');
        lines.push(`${time} ${id} ${total[0]} ${total[1]}${name.length > 0 ? ' ' + name.join(' ') : ''}`);
      });
    }
    return { name: `dumps-${seed}`, bytes: Buffer.from(lines.join('\n') + '\n'), fields: [] };
  });
}

function snifferSeeds(): SeedFile[] {
  const daemon = generateStatus(21, { ips: 8, ipv6Share: 0.3 });
  const dumper = generateStatus(22, { ips: 6 });
  return [
    { name: 'daemon', bytes: Buffer.from(formatDaemonStatus(daemon.header, daemon.entries)), fields: [] },
    { name: 'dumper', bytes: Buffer.from(formatDumperBody(dumper.entries)), fields: [] },
  ];
}

/** Offsets of the argus record headers and the DSR headers inside flow records (big-endian). */
function argusFields(bytes: Buffer): Field[] {
  const fields: Field[] = [];
  for (let at = 0; at + 4 <= bytes.length;) {
    const words = bytes.readUInt16BE(at + 2);
    fields.push(
      { offset: at, width: 1, littleEndian: false, what: 'record type' },
      { offset: at + 2, width: 2, littleEndian: false, what: 'record length' },
    );
    if (words === 0) break;
    const end = Math.min(bytes.length, at + words * 4);
    if ((bytes[at]! & 0xf0) === 0x10) {
      for (let dsr = at + 4; dsr + 4 <= end;) {
        const type = bytes[dsr]!;
        const subtype = bytes[dsr + 1]!;
        fields.push({ offset: dsr, width: 1, littleEndian: false, what: `DSR type (${type})` });
        let length: number;
        if (type & 0x80) length = 1;
        else if (subtype & 0x80) {
          length = bytes.readUInt16BE(dsr + 2);
          fields.push({ offset: dsr + 2, width: 2, littleEndian: false, what: `DSR long length (${type})` });
        } else {
          length = bytes[dsr + 3]!;
          fields.push(
            { offset: dsr + 1, width: 1, littleEndian: false, what: `DSR subtype (${type})` },
            { offset: dsr + 2, width: 1, littleEndian: false, what: `DSR qualifier (${type})` },
            { offset: dsr + 3, width: 1, littleEndian: false, what: `DSR length (${type})` },
          );
        }
        if (length === 0) break;
        dsr += length * 4;
      }
    }
    at += words * 4;
  }
  return fields;
}

function argusSeeds(dir: string): SeedFile[] {
  const scenario = generateScenario({ seed: 31, flows: 4, maxFlowSeconds: 12 });
  const file = join(dir, 'seed.argus');
  captureToArgus(scenario.packets, join(dir, 'seed.pcap'), file, ['-S', '5']);
  const bytes = readFileSync(file);
  return [{ name: 'scenario-31', bytes, fields: argusFields(bytes) }];
}

async function tstatSeeds(dir: string): Promise<SeedFile[]> {
  const root = join(dir, 'tstat');
  const [tcpDir] = await generateTstatTree({ root, seed: 41, directories: 1, tcpRows: 6, udpRows: 0 });
  const [udpDir] = await generateTstatTree({
    root: join(root, 'edge'),
    seed: 42,
    directories: 1,
    tcpRows: 0,
    udpRows: 8,
    edgeCases: true,
  });
  return [
    { name: 'log_tcp_complete', bytes: readFileSync(join(tcpDir!, 'log_tcp_complete')), fields: [] },
    { name: 'log_udp_complete', bytes: readFileSync(join(udpDir!, 'log_udp_complete')), fields: [] },
  ];
}

// ------------------------------------------------------------------------------------------ mutations

/** Values written over a length or size field: zero, tiny, huge, and negative when read as signed. */
const FIELD_VALUES = [0, 1, 3, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
/** Bytes that mean something to one of the text formats. */
const TEXT_BYTES = Buffer.from('\n\r\t "\'{}[](),;=>-+.0159eE#$:\\x', 'latin1');
/** Tokens put in place of a number of a text format. */
const ODD_NUMBERS = [
  '-1',
  '-0',
  '0',
  '1e400',
  '-1e400',
  'NaN',
  'Infinity',
  '1.5',
  '0x10',
  '18446744073709551616',
  '99999999999999999999999999',
  '9007199254740993',
  '',
  '-',
  '1e-400',
];

interface Mutation {
  what: string;
  apply(input: Buffer): Buffer;
}

function mutation(random: SeededRandom, seed: SeedFile, text: boolean): Mutation {
  const size = seed.bytes.length;
  const at = () => random.int(0, size - 1);
  const span = () => random.int(1, Math.min(64, size));
  const kinds = ['flip', 'byte', 'delete', 'duplicate', 'insert', 'truncate'];
  if (text) kinds.push('number', 'number', 'line');
  else if (seed.fields.length > 0) kinds.push('field', 'field', 'field', 'word');
  else kinds.push('word');
  switch (random.pick(kinds)) {
    case 'flip': {
      const offset = at();
      const bit = random.int(0, 7);
      return {
        what: `flip bit ${bit} of byte ${offset}`,
        apply: (input) => {
          const out = Buffer.from(input);
          out[offset]! ^= 1 << bit;
          return out;
        },
      };
    }
    case 'byte': {
      const offset = at();
      const value = text && random.next() < 0.7 ? random.pick([...TEXT_BYTES]) : random.int(0, 255);
      return {
        what: `byte ${offset} := 0x${value.toString(16)}`,
        apply: (input) => {
          const out = Buffer.from(input);
          out[offset] = value;
          return out;
        },
      };
    }
    case 'delete': {
      const offset = at();
      const length = span();
      return {
        what: `delete ${length} bytes at ${offset}`,
        apply: (input) => Buffer.concat([input.subarray(0, offset), input.subarray(offset + length)]),
      };
    }
    case 'duplicate': {
      const offset = at();
      const length = span();
      return {
        what: `duplicate ${length} bytes at ${offset}`,
        apply: (input) =>
          Buffer.concat([
            input.subarray(0, offset + length),
            input.subarray(offset, offset + length),
            input.subarray(offset + length),
          ]),
      };
    }
    case 'insert': {
      const offset = random.int(0, size);
      const inserted = Buffer.from(
        Array.from({ length: random.int(1, 16) }, () =>
          text && random.next() < 0.5 ? random.pick([...TEXT_BYTES]) : random.int(0, 255),
        ),
      );
      return {
        what: `insert ${inserted.toString('hex')} at ${offset}`,
        apply: (input) => Buffer.concat([input.subarray(0, offset), inserted, input.subarray(offset)]),
      };
    }
    case 'truncate': {
      const length = random.int(0, size - 1);
      return { what: `truncate to ${length} bytes`, apply: (input) => input.subarray(0, length) };
    }
    case 'number': {
      // The n-th run of digits becomes an odd token.
      const runs = [...seed.bytes.toString('latin1').matchAll(/\d+(?:\.\d+)?/g)];
      const run = runs[random.int(0, runs.length - 1)]!;
      const token = random.pick(ODD_NUMBERS);
      return {
        what: `number '${run[0]}' at ${run.index} := '${token}'`,
        apply: (input) =>
          Buffer.concat([
            input.subarray(0, run.index),
            Buffer.from(token, 'latin1'),
            input.subarray(run.index + run[0].length),
          ]),
      };
    }
    case 'line': {
      const lines = seed.bytes.toString('latin1').split('\n');
      const index = random.int(0, lines.length - 1);
      const other = random.int(0, lines.length - 1);
      const how = random.pick(['delete', 'duplicate', 'swap']);
      return {
        what: `${how} line ${index + 1}${how === 'swap' ? ` with line ${other + 1}` : ''}`,
        apply: (input) => {
          const out = input.toString('latin1').split('\n');
          const i = index % out.length;
          const j = other % out.length;
          if (how === 'delete') out.splice(i, 1);
          else if (how === 'duplicate') out.splice(i, 0, out[i]!);
          else [out[i], out[j]] = [out[j]!, out[i]!];
          return Buffer.from(out.join('\n'), 'latin1');
        },
      };
    }
    case 'field': {
      const field = random.pick(seed.fields);
      const value = random.pick([...FIELD_VALUES, size, size + 1, 65536]);
      return {
        what: `${field.what} at ${field.offset} := 0x${value.toString(16)}`,
        apply: writeField(field, value),
      };
    }
    default: {
      // An aligned 16- or 32-bit word anywhere (header fields of the frames, argus DSR bodies).
      const width = random.pick([2, 4] as const);
      const offset = Math.floor(random.int(0, Math.max(0, size - width)) / width) * width;
      const littleEndian = random.next() < 0.5;
      const value = random.pick(FIELD_VALUES);
      const field: Field = { offset, width, littleEndian, what: `${width * 8}-bit word` };
      return {
        what: `${width * 8}-bit ${littleEndian ? 'LE' : 'BE'} word at ${offset} := 0x${value.toString(16)}`,
        apply: writeField(field, value),
      };
    }
  }
}

function writeField(field: Field, value: number): (input: Buffer) => Buffer {
  return (input) => {
    const out = Buffer.from(input);
    if (field.offset + field.width > out.length) return out;
    const masked = field.width === 4 ? value >>> 0 : value & (field.width === 2 ? 0xffff : 0xff);
    if (field.width === 1) out[field.offset] = masked;
    else if (field.width === 2) {
      if (field.littleEndian) out.writeUInt16LE(masked, field.offset);
      else out.writeUInt16BE(masked, field.offset);
    } else if (field.littleEndian) out.writeUInt32LE(masked, field.offset);
    else out.writeUInt32BE(masked, field.offset);
    return out;
  };
}

// -------------------------------------------------------------------------------------------- running

/** One worker thread reading the cases; replaced when a case hangs or the thread dies. */
class ReaderThread {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 0;

  private start(): Promise<void> {
    const worker = new Worker(new URL('./readers-fuzz.worker.boot.mjs', import.meta.url), {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return this.ready;
  }

  /** The reply, or a string saying the case hung or killed the thread. */
  async read(format: string, path: string): Promise<FuzzReply | string> {
    if (this.worker === undefined) await this.start();
    else await this.ready;
    const worker = this.worker!;
    const id = this.nextId++;
    const request: FuzzRequest = { id, format, path };
    return new Promise((resolve) => {
      const done = (result: FuzzReply | string) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(result);
      };
      const onMessage = (reply: FuzzReply) => {
        if (reply.id === id) done(reply);
      };
      const onError = (error: Error) => {
        this.worker = undefined;
        done(`the reader thread died: ${error.name}: ${error.message}`);
      };
      const timer = setTimeout(() => {
        this.worker = undefined;
        void worker.terminate();
        done(`no end after ${CASE_MS} ms (a loop?)`);
      }, CASE_MS);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

/** What is wrong with one case's outcome, or undefined when it is fine. */
function verdict(reply: FuzzReply | string): string | undefined {
  if (typeof reply === 'string') return reply;
  switch (reply.outcome) {
    case 'ok':
      return reply.violations.length > 0
        ? `records break the model: ${reply.violations.join('; ')}`
        : undefined;
    case 'error':
      return reply.namesFile ? undefined : `${reply.code} without the file: ${reply.line}`;
    case 'crash':
      return `${reply.name}: ${reply.message}\n      ${reply.stack.split('\n').slice(1, 4).join('\n      ').trim()}`;
  }
}

/** The valid files each format's mutations start from (made per format: argus needs the argus binary). */
const SEEDS: Record<Format, (dir: string) => SeedFile[] | Promise<SeedFile[]>> = {
  ndjson: ndjsonSeeds,
  pcap: pcapSeeds,
  pcapng: pcapngSeeds,
  fwctl: fwctlSeeds,
  sniffer: snifferSeeds,
  argus: argusSeeds,
  tstat: tstatSeeds,
};

let dir: string;
let thread: ReaderThread;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netledger-fuzz-'));
  thread = new ReaderThread();
});

afterAll(async () => {
  await thread.close();
  if (ONLY === undefined) await rm(dir, { recursive: true, force: true });
});

describe('every reader on mutated input: records or a NetledgerError naming the file', () => {
  for (const format of Object.keys(FORMATS) as Format[]) {
    const { adapter, text, seed: base } = FORMATS[format];
    const selected = ONLY === undefined || ONLY[0] === format;
    it.runIf(selected)(
      `${format}: ${ONLY === undefined ? RUNS : 1} mutations`,
      { timeout: 120_000 },
      async () => {
        // The unmutated seeds read cleanly, or the fuzz would start from broken files.
        const seeds = await SEEDS[format](dir);
        for (const seed of seeds) {
          const path = join(dir, `${format}-${seed.name}`);
          await writeFile(path, seed.bytes);
          const reply = await thread.read(adapter, path);
          expect(reply, `seed ${seed.name}`).toMatchObject({ outcome: 'ok', violations: [] });
          expect((reply as { records: number }).records, `seed ${seed.name}`).toBeGreaterThan(0);
        }
        const failures: string[] = [];
        const outcomes: Record<string, number> = {};
        const runs = ONLY === undefined ? Array.from({ length: RUNS }, (_, run) => run) : [Number(ONLY[1])];
        for (const run of runs) {
          const random = new SeededRandom(base + run);
          const seed = random.pick(seeds);
          // One to three mutations on top of each other.
          const mutations = Array.from({ length: random.pick([1, 1, 1, 2, 3]) }, () =>
            mutation(random, seed, text),
          );
          const bytes = mutations.reduce((input, step) => step.apply(input), seed.bytes);
          const path = join(dir, `${format}-${run}`);
          await writeFile(path, bytes);
          const reply = await thread.read(adapter, path);
          const problem = verdict(reply);
          const outcome =
            typeof reply === 'string' ? 'hang' : reply.outcome === 'error' ? reply.code : reply.outcome;
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
          const label = `${format} run ${run} (random seed ${base + run}, file ${seed.name}: ${mutations.map((m) => m.what).join(', ')})`;
          if (ONLY !== undefined) console.log(label, path, reply);
          if (problem !== undefined) failures.push(`${label}\n    ${problem}`);
        }
        if (process.env.FUZZ_STATS !== undefined) console.log(format, outcomes);
        expect(failures.join('\n'), `${failures.length} failing cases`).toBe('');
      },
    );
  }
});
