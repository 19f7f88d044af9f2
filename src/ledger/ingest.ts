/**
 * Idempotent ingest of files: decide from the `sources` table whether a file is new, unchanged or grown,
 * then hand the part to read to the ledger (one transaction per source).
 *
 * Rules (docs/ledger.md):
 * - unchanged: some source with the same size and SHA-256 of its content is recorded (any path: a copy of
 *   an ingested file is not counted twice);
 * - grown: an earlier ingest of the same path covered `[0, s)` and the file's first `s` bytes still hash to
 *   what was recorded: only `[s, size)` is read (appendable formats); a format that cannot be continued
 *   from an offset is read whole and the new read replaces the shorter ones, so nothing counts twice;
 * - otherwise the whole file is read as a new source.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { EmptyInputError, fromFsError, UsageError } from '../model/errors.js';
import { newSourceCounters } from '../model/record.js';
import { adapterFor, formatNames, sniffAdapter, SNIFF_BYTES, type SourceAdapter } from './adapters.js';
import type { IngestOutcome, Ledger, SourceFingerprint } from './types.js';

export interface FileIngestOutcome extends IngestOutcome {
  path: string;
  format: string;
  /** Where reading started: 0 for a new source, the old size for a grown one. */
  fromOffset: number;
  /** Units of the input the reader skipped, by reason (empty when nothing was skipped or read). */
  skipped: Record<string, number>;
}

export interface FileIngestOptions {
  /** auto (sniffed from the content, the default) or a format name. */
  format?: string;
  /** Called after each batch read with the records read so far (for a progress line). */
  onProgress?: (records: number) => void;
}

export async function ingestFile(
  ledger: Ledger,
  path: string,
  options: FileIngestOptions = {},
): Promise<FileIngestOutcome> {
  let size: number;
  let identity: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    size = info.size;
    identity = `file:${await realpath(path)}`;
  } catch (error) {
    throw fromFsError(error, path);
  }
  if (size === 0) throw new EmptyInputError(path);
  const adapter = await chooseAdapter(path, options.format ?? 'auto');
  const earlier = (await ledger.sources({ identity }))
    .filter((entry) => entry.size < size)
    .map((entry) => entry.size);
  const { contentHash, prefixHashes } = await hashFile(path, size, earlier);
  const fingerprint: SourceFingerprint = {
    identity,
    path,
    format: adapter.format,
    fromOffset: 0,
    size,
    contentHash,
  };
  const unchanged = await ledger.sources({ size, contentHash });
  if (unchanged.length > 0) {
    return {
      status: 'unchanged',
      records: 0,
      entry: unchanged[0]!,
      path,
      format: adapter.format,
      fromOffset: size,
      skipped: {},
    };
  }
  // Earlier reads of this file whose content is a prefix of what it holds now: it has grown since.
  const grownFrom = (await ledger.sources({ identity })).filter(
    (entry) => entry.size < size && prefixHashes.get(entry.size) === entry.contentHash,
  );
  const replaces: string[] = [];
  if (adapter.appendable) {
    const longest = grownFrom.sort((a, b) => b.size - a.size)[0];
    if (longest !== undefined) fingerprint.fromOffset = longest.size;
  } else {
    // Read whole again: what the shorter reads counted is counted anew, so those reads stop counting.
    for (const entry of grownFrom) replaces.push(entry.id);
  }
  const counters = newSourceCounters();
  const outcome = await ledger.ingestSource(
    fingerprint,
    withProgress(
      adapter.read(path, { fromOffset: fingerprint.fromOffset, toOffset: size, counters }),
      options.onProgress,
    ),
    { replaces },
  );
  return {
    ...outcome,
    path,
    format: adapter.format,
    fromOffset: fingerprint.fromOffset,
    skipped: counters.skipped,
  };
}

/** The same batches, counting records for `onProgress` on the way. */
async function* withProgress<T>(
  batches: AsyncIterable<T[]>,
  onProgress: ((records: number) => void) | undefined,
): AsyncIterable<T[]> {
  if (onProgress === undefined) return yield* batches;
  let records = 0;
  for await (const batch of batches) {
    records += batch.length;
    onProgress(records);
    yield batch;
  }
}

async function chooseAdapter(path: string, format: string): Promise<SourceAdapter> {
  if (format !== 'auto') return adapterFor(format);
  const head = Buffer.alloc(SNIFF_BYTES);
  let length: number;
  try {
    const handle = await open(path, 'r');
    try {
      ({ bytesRead: length } = await handle.read(head, 0, SNIFF_BYTES, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fromFsError(error, path);
  }
  const adapter = sniffAdapter(head.subarray(0, length));
  if (adapter === undefined) {
    throw new UsageError(
      `cannot tell the format of ${path} from its content; give --format (${formatNames().join(', ')})`,
    );
  }
  return adapter;
}

/**
 * SHA-256 of `[0, size)` in one pass, with the digests of the prefixes `[0, s)` for each `s` in `cuts`
 * (the sizes earlier ingests recorded), so a grown file is recognised without a second read.
 */
export async function hashFile(
  path: string,
  size: number,
  cuts: readonly number[],
): Promise<{ contentHash: string; prefixHashes: Map<number, string> }> {
  const pending = [...new Set(cuts)].filter((cut) => cut > 0 && cut < size).sort((a, b) => a - b);
  const prefixHashes = new Map<number, string>();
  const hash: Hash = createHash('sha256');
  let position = 0;
  try {
    const stream = createReadStream(path, { start: 0, end: size - 1, highWaterMark: 1 << 20 });
    for await (const chunk of stream) {
      let buffer = chunk as Buffer;
      while (pending.length > 0 && position + buffer.length >= pending[0]!) {
        const cut = pending.shift()!;
        const take = cut - position;
        hash.update(buffer.subarray(0, take));
        position += take;
        buffer = buffer.subarray(take);
        prefixHashes.set(cut, hash.copy().digest('hex'));
      }
      hash.update(buffer);
      position += buffer.length;
    }
  } catch (error) {
    throw fromFsError(error, path);
  }
  return { contentHash: hash.digest('hex'), prefixHashes };
}
