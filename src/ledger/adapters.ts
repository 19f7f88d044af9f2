/**
 * Source adapters: how `netledger ingest` recognises a file's format from its first bytes and reads it as
 * batches of records. One registration per format; readers live in `sources/`, adapters only wrap them.
 *
 * To add a format when its reader lands, append one entry to {@link ADAPTERS}, e.g.
 * `{ format: 'fwctl', appendable: true, sniff: looksLikeFwctl, read: (path, options) => readFwctlBatches(path, options) }`.
 */
import { open } from 'node:fs/promises';
import { fromFsError, ParseError, UsageError, type Position } from '../model/errors.js';
import type { SourceCounters, TrafficRecord } from '../model/record.js';
import { PlainRecordReader } from './plain-record.js';
import { recordFromJson } from './record-json.js';
import { argusRecords } from '../sources/argus/index.js';
import { FwctlReader } from '../sources/fwctl.js';
import { readLineChunks } from '../sources/line-chunks.js';
import { readPcapRecords } from '../sources/pcap/records.js';
import { readTstatRecordBatches } from '../sources/tstat.js';
import { readStatusTable } from '../sources/sniffer/read.js';
import { statusRecordBatches } from '../sources/sniffer/records.js';

export interface ReadOptions {
  /** Byte offset to start at (only non-zero for appendable formats continuing a grown file). */
  fromOffset: number;
  /** Byte offset to stop at (exclusive): the size that was hashed, so a file still growing is cut there. */
  toOffset?: number;
  /**
   * Receives the reader's counts when the read ends: units read (lines, packets, flow records, entries),
   * those turned into records, and those skipped, by reason (bad fwctl lines, tstat rows that are not
   * numbers, non-IP argus flows, frames of an unknown link type…), so that nothing is dropped unseen.
   */
  counters?: SourceCounters;
}

export interface SourceAdapter {
  format: string;
  /**
   * True when records are aligned to an append boundary: reading from the old size of a grown file (whose
   * old prefix is unchanged) yields exactly the new records. Line formats (ndjson, fwctl dumps, tstat logs)
   * are; a pcap is when the reader skips the global header and resumes at a packet boundary; a Sniffer
   * status file is not (each dump rewrites the whole file), so a changed one is ingested whole.
   */
  appendable: boolean;
  /** True when the first bytes of a source look like this format. */
  sniff(head: Buffer): boolean;
  read(path: string, options: ReadOptions): AsyncIterable<TrafficRecord[]>;
}

/** How many bytes `sniff` sees. */
export const SNIFF_BYTES = 4096;
const BATCH_RECORDS = 4096;

/** One TrafficRecord as a JSON object per line (the sinks' schema). Blank lines are allowed. */
export const ndjsonAdapter: SourceAdapter = {
  format: 'ndjson',
  appendable: true,
  sniff(head) {
    const text = head.toString('utf8').trimStart();
    return text.startsWith('{') && /"start"\s*:/.test(text.slice(0, 2000));
  },
  read: readNdjsonRecords,
};

/** Collects a record stream into batches of {@link BATCH_RECORDS}; `onEnd` gets the stream's return value. */
async function* batched<R>(
  records: AsyncIterator<TrafficRecord, R>,
  onEnd?: (result: R) => void,
): AsyncIterable<TrafficRecord[]> {
  let batch: TrafficRecord[] = [];
  for (;;) {
    const step = await records.next();
    if (step.done) {
      onEnd?.(step.value);
      break;
    }
    batch.push(step.value);
    if (batch.length >= BATCH_RECORDS) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Adds a reader's counts to the caller's. */
function addCounters(into: SourceCounters | undefined, from: SourceCounters): void {
  if (into === undefined) return;
  into.read += from.read;
  into.decoded += from.decoded;
  for (const [reason, count] of Object.entries(from.skipped)) {
    into.skipped[reason] = (into.skipped[reason] ?? 0) + count;
  }
}

const FWCTL_LINE = /^\d{1,12} \S+ \d+ \d+(?: [^\n]*)?\n/;

/** `fwctl dump-acct` lines: `<epoch> <chain> <packets> <bytes> [<name>]`. Appendable: a dump log only grows. */
export const fwctlAdapter: SourceAdapter = {
  format: 'fwctl',
  appendable: true,
  sniff: (head) => FWCTL_LINE.test(head.toString('latin1')),
  async *read(path, options) {
    const reader = await FwctlReader.open([path], {
      fromOffset: options.fromOffset,
      ...(options.toOffset === undefined ? {} : { toOffset: options.toOffset }),
    });
    yield* batched(reader.records());
    addCounters(options.counters, reader.counters);
  },
};

/**
 * Net::Connection::Sniffer status files: a snapshot, rewritten whole by every dump, so not appendable (a
 * changed file is a new source). Each IP becomes one record of its current interval.
 */
export const snifferAdapter: SourceAdapter = {
  format: 'sniffer',
  appendable: false,
  sniff(head) {
    const text = head.toString('latin1');
    return /^(?:[ \t]*\r?\n|#[^\n]*\n)*(?:\{\s*my \$dump\s*=|(?:my )?\$VAR1\s*=)/.test(text);
  },
  async *read(path, options) {
    const status = await readStatusTable(path, { wholeCounts: true });
    yield* statusRecordBatches(status, BATCH_RECORDS);
    // Every entry is a record: a bad one is an error, never skipped.
    addCounters(options.counters, { read: status.table.size, decoded: status.table.size, skipped: {} });
  },
};

/**
 * argus 3 data files, read natively: the first record is a management record (type 0x83). Not appendable
 * from an offset (records need the file's own context), so a grown file is a new source; use argus' file
 * rotation (one file per interval) for live sensors.
 */
export const argusAdapter: SourceAdapter = {
  format: 'argus',
  appendable: false,
  sniff: (head) => head.length >= 4 && head[0] === 0x83,
  read: (path, options) => batched(argusRecords(path), (counters) => addCounters(options.counters, counters)),
};

const TSTAT_HEADER = /^#(?:\d+#)?c_ip:1 /;

/**
 * tstat `log_tcp_complete` / `log_udp_complete`: the header names the columns; a TCP log has
 * `c_bytes_uniq`. One record per direction of each flow. Not appendable (the header is needed to read any
 * row), so a grown log is a new source; tstat closes its logs when it rotates the `.out` directory.
 */
export const tstatAdapter: SourceAdapter = {
  format: 'tstat',
  appendable: false,
  sniff: (head) => TSTAT_HEADER.test(head.toString('latin1')),
  async *read(path, options) {
    const head = await readHead(path);
    const protocol = /(?:^|\s)c_bytes_uniq:\d+/.test(head.toString('latin1').split('\n', 1)[0] ?? '')
      ? 'tcp'
      : 'udp';
    yield* readTstatRecordBatches(path, {
      protocol,
      ...(options.counters === undefined ? {} : { counters: options.counters }),
    });
  },
};

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fromFsError(error, path);
  });
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES * 4);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/**
 * pcap and pcapng captures, one record per directional flow (5-tuple, MACs, VLAN) with its first and last
 * packet time and wire bytes. Not appendable from an offset (pcapng needs its section and interface
 * blocks), so a grown capture is a new source: rotate live captures (`tcpdump -G`).
 */
export const pcapAdapter: SourceAdapter = {
  format: 'pcap',
  appendable: false,
  sniff: (head) => head.length >= 4 && PCAP_MAGICS.has(head.readUInt32BE(0)),
  read: (path, options) =>
    batched(readPcapRecords(path, { aggregate: 'flow' }), (summary) =>
      addCounters(options.counters, summary),
    ),
};

export const ADAPTERS: SourceAdapter[] = [
  ndjsonAdapter,
  pcapAdapter,
  fwctlAdapter,
  snifferAdapter,
  argusAdapter,
  tstatAdapter,
];

export function adapterFor(format: string): SourceAdapter {
  const adapter = ADAPTERS.find((candidate) => candidate.format === format);
  if (adapter === undefined) {
    throw new UsageError(`unknown --format '${format}': expected auto or ${formatNames().join(', ')}`);
  }
  return adapter;
}

export function formatNames(): string[] {
  return ADAPTERS.map((adapter) => adapter.format);
}

/** The adapter whose `sniff` accepts `head`, or undefined. */
export function sniffAdapter(head: Buffer): SourceAdapter | undefined {
  return ADAPTERS.find((adapter) => adapter.sniff(head));
}

/**
 * Reads NDJSON records in batches, straight from the file's bytes: a line in the plain shape the sinks
 * write is read by {@link PlainRecordReader}; any other line is decoded and parsed by `JSON.parse` and
 * {@link recordFromJson}, which word the error of a bad one. Line numbers in errors count from the start
 * of the file when reading from 0; when continuing a grown file they are given as byte offsets.
 */
export async function* readNdjsonRecords(path: string, options: ReadOptions): AsyncIterable<TrafficRecord[]> {
  const reader = new PlainRecordReader();
  let lineNumber = 0;
  let lineOffset = options.fromOffset;
  let batch: TrafficRecord[] = [];
  let records = 0;
  const chunks = readLineChunks(path, {
    start: options.fromOffset,
    ...(options.toOffset === undefined ? {} : { end: options.toOffset }),
  });
  for await (const [bytes, end] of chunks) {
    let start = 0;
    while (start < end) {
      let newline = bytes.indexOf(NEWLINE, start);
      if (newline < 0 || newline >= end) newline = end;
      lineNumber++;
      const record = reader.read(bytes, start, newline);
      if (record !== undefined) {
        batch.push(record);
        lineOffset += newline - start + 1;
      } else {
        const line = bytes.toString('utf8', start, newline);
        const at = lineOffset;
        // Offsets count the decoded line's UTF-8 length, as the reader before this one did: the same as
        // its bytes unless they are not valid UTF-8.
        lineOffset += Buffer.byteLength(line) + 1;
        const slow = slowRecord(line, () =>
          options.fromOffset === 0 ? { file: path, line: lineNumber } : { file: path, offset: at },
        );
        if (slow !== undefined) batch.push(slow);
      }
      start = newline + 1;
      if (batch.length >= BATCH_RECORDS) {
        records += batch.length;
        yield batch;
        batch = [];
      }
    }
  }
  records += batch.length;
  if (batch.length > 0) yield batch;
  // Blank lines are not data; any other line is a record or an error, never skipped.
  addCounters(options.counters, { read: records, decoded: records, skipped: {} });
}

const NEWLINE = 0x0a;

/** A line the fast path did not take: undefined when blank, else its record or a ParseError. */
function slowRecord(line: string, position: () => Position): TrafficRecord | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ParseError('expected one JSON record per line', position());
  }
  const record = recordFromJson(value);
  if (typeof record === 'string') throw new ParseError(record, position());
  return record;
}
