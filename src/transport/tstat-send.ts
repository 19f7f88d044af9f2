/**
 * `tstat send`: crawl a tstat tree, turn every unsent `*.out` directory into JSON slices and hand them to
 * a transport; mark the directory `.processed` only once every slice of it is confirmed.
 *
 * Streaming: a directory is read row by row and sent slice by slice (the original built the whole
 * directory's payload in memory first); the order of objects and slices is the original's.
 * Failure handling: a dropped connection makes the transport reconnect and the whole directory is resent
 * from its first slice (stable message ids let a receiver drop the duplicates); any other failure, or a
 * failed reconnect, stops the run with the directory left unmarked, so the next run resends it.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { createProgress } from '../io/progress.js';
import type { SourceCounters } from '../model/record.js';
import { newSourceCounters } from '../model/record.js';
import type { TstatJsonOptions } from '../report/tstat-json.js';
import type { JsonSlice } from '../report/json-slices.js';
import { JSON_SLICE_DEFAULTS, JsonSliceWriter } from '../report/json-slices.js';
import { TSTAT_JSON_DEFAULTS, TstatJsonRenderer } from '../report/tstat-json.js';
import type { RenderedChunk } from '../report/tstat-json-workers.js';
import { TstatRenderPool, defaultRenderWorkers } from '../report/tstat-json-workers.js';
import type { MessageSink } from '../sinks/types.js';
import type { TstatProtocol } from '../sources/tstat.js';
import { TstatLogScanner, tstatLogBlocks, tstatLogChunks, tstatLogName } from '../sources/tstat.js';
import type { TstatDir } from '../sources/tstat-tree.js';
import { PROCESSED_MARK, findTstatDirs } from '../sources/tstat-tree.js';
import type { TstatLog } from './tstat-log.js';

export interface TstatSendOptions extends TstatJsonOptions {
  directory: string;
  sink: MessageSink;
  /** Stop after the first directory that produced objects (`--single`). */
  single?: boolean;
  verbose?: boolean;
  log: TstatLog;
  /** Objects per message (100 as the original). */
  sliceSize?: number;
  /** Bytes per block of slice memory (JSON_SLICE_DEFAULTS.blockBytes); small blocks are reused sooner. */
  sliceBlockBytes?: number;
  /** Resends of a directory after a dropped connection (each after a successful reconnect). */
  resends?: number;
  /** Polled between directories: true stops the run cleanly (SIGINT). */
  stopRequested?: () => boolean;
  /**
   * Threads rendering JSON (default `defaultRenderWorkers()`: one per core, at most 4). 1 renders in this
   * thread, as before. With more, a directory is rendered on worker threads when rendering is most of the
   * work (`workerMinObjectsPerLine`) and the directory is big enough to pay for starting them
   * (`workerMinBytes`); else in this thread.
   */
  workers?: number;
  /** Log bytes of a directory from which the worker threads are worth starting (default 4 MiB). */
  workerMinBytes?: number;
  /**
   * Objects per line (of the previous directory; threshold 0: 2) from which workers are used (default
   * 0.5). Below, a line costs little more than reading it, and handing lines to workers costs more CPU
   * than it saves.
   */
  workerMinObjectsPerLine?: number;
  /**
   * Bytes per chunk read: TSTAT_READ_DEFAULTS.chunkBytes in this thread, TSTAT_SEND_DEFAULTS.workerChunkBytes
   * on workers (a worker renders one chunk per job).
   */
  chunkBytes?: number;
}

export const TSTAT_SEND_DEFAULTS = {
  /**
   * A directory smaller than this is rendered in this thread while no worker runs: a worker costs
   * 30-50 ms to start from the bundle (more from the sources), the time to render ~6,000 lines.
   */
  workerMinBytes: 4 << 20,
  /**
   * At the default threshold (1000 MB) a line gives ~0.1 objects: reading is the work, and the workers
   * doubled the CPU time for the same wall time. At threshold 0 (2 objects per line) they pay.
   */
  workerMinObjectsPerLine: 0.5,
  /**
   * Bytes per chunk handed to a worker: 256 KiB of lines are ~1.2-3 MB of JSON at threshold 0, so the
   * buffers in circulation stay in the caches (1 MiB chunks: ~5 % more worker CPU, ~50 MiB more memory);
   * a chunk still holds a dozen whole slices, lent out without a copy.
   */
  workerChunkBytes: 256 << 10,
} as const;

export interface TstatSendSummary {
  directoriesSent: number;
  directoriesSkipped: number;
  objects: number;
  messages: number;
  resends: number;
  interrupted: boolean;
  rows: SourceCounters;
  /** Directions dropped because a value was not a number, by reason. */
  droppedDirections: Record<string, number>;
}

/** The stable id of a slice: same directory and index → same id, on every run. */
export function sliceMessageId(directory: string, sliceIndex: number): string {
  return createHash('sha256')
    .update(`${resolve(directory)}\0${sliceIndex}`)
    .digest('hex')
    .slice(0, 32);
}

/** How a run renders: in this thread, and on worker threads once started. */
interface Rendering {
  renderer: TstatJsonRenderer;
  workers: number;
  pool: TstatRenderPool | undefined;
  /** Directions dropped in worker threads, by reason (the renderer counts those dropped here). */
  dropped: Record<string, number>;
  /** Objects per data line of the last directory sent (undefined before the first). */
  objectsPerLine: number | undefined;
}

export async function sendTstatTree(options: TstatSendOptions): Promise<TstatSendSummary> {
  const summary: TstatSendSummary = {
    directoriesSent: 0,
    directoriesSkipped: 0,
    objects: 0,
    messages: 0,
    resends: 0,
    interrupted: false,
    rows: newSourceCounters(),
    droppedDirections: {},
  };
  const rendering: Rendering = {
    renderer: new TstatJsonRenderer(options),
    workers: Math.max(1, Math.floor(options.workers ?? defaultRenderWorkers())),
    pool: undefined,
    dropped: {},
    objectsPerLine: undefined,
  };
  const progress = createProgress('tstat send', 'rows');
  try {
    for await (const dir of findTstatDirs(options.directory)) {
      if (dir.processed) {
        summary.directoriesSkipped++;
        continue;
      }
      const rowsBefore = summary.rows.read;
      const objects = await sendDirWithResends(dir, rendering, options, summary, () =>
        progress.update(summary.rows.read),
      );
      const rows = summary.rows.read - rowsBefore;
      if (rows > 0) rendering.objectsPerLine = objects / rows;
      await writeFileAtomic(resolve(dir.path, PROCESSED_MARK), 'processed');
      summary.directoriesSent++;
      if (objects === 0) options.log('_process_payload.done', 'no payload');
      if (options.stopRequested?.()) {
        summary.interrupted = true;
        options.log('main.exit', 'interrupted - exiting.');
        break;
      }
      if (options.single && objects > 0) {
        options.log('main.exit', '--single option used - exiting.');
        break;
      }
    }
  } finally {
    progress.finish();
    // Ends the worker threads, on errors too: they would keep the process alive.
    await rendering.pool?.close();
    addCounts(summary.droppedDirections, rendering.renderer.skipped);
    addCounts(summary.droppedDirections, rendering.dropped);
  }
  return summary;
}

function addCounts(into: Record<string, number>, counts: Record<string, number>): void {
  for (const [reason, count] of Object.entries(counts)) into[reason] = (into[reason] ?? 0) + count;
}

async function sendDirWithResends(
  dir: TstatDir,
  rendering: Rendering,
  options: TstatSendOptions,
  summary: TstatSendSummary,
  onRows: () => void,
): Promise<number> {
  const resends = options.resends ?? 3;
  for (let attempt = 0; ; attempt++) {
    // Rows and dropped directions are counted once: a resend re-reads the same rows.
    const firstAttempt = attempt === 0;
    const rows = firstAttempt ? summary.rows : newSourceCounters();
    const droppedBefore = { ...rendering.renderer.skipped };
    const sending: DirAttempt = { dir, options, summary, rows, firstAttempt, onRows };
    try {
      return (await useWorkers(dir, rendering, options))
        ? await sendDirParallel(sending, rendering)
        : await sendDir(sending, rendering.renderer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.log('_process_payload.error', `error processing slice: ${message}`);
      if (attempt >= resends || !(await options.sink.recover(error))) throw error;
      summary.resends++;
      options.log('process_output.resend', `resending ${resolve(dir.path)} from its first slice`);
    } finally {
      if (!firstAttempt) {
        const skipped = rendering.renderer.skipped;
        for (const reason of Object.keys(skipped)) delete skipped[reason];
        Object.assign(skipped, droppedBefore);
      }
    }
  }
}

/**
 * Whether `dir` is rendered on workers: when rendering is most of the work (threshold 0, or the last
 * directory gave enough objects per line) and the workers run, or the directory is big enough to start
 * them.
 */
async function useWorkers(dir: TstatDir, rendering: Rendering, options: TstatSendOptions): Promise<boolean> {
  if (rendering.workers <= 1) return false;
  const minObjectsPerLine = options.workerMinObjectsPerLine ?? TSTAT_SEND_DEFAULTS.workerMinObjectsPerLine;
  const perLine = options.thresholdMB <= 0 ? 2 : (rendering.objectsPerLine ?? 0);
  if (perLine < minObjectsPerLine) return false;
  if (rendering.pool !== undefined) return true;
  let bytes = 0;
  for (const protocol of dir.logs) {
    bytes += (await stat(resolve(dir.path, tstatLogName(protocol)))).size;
  }
  if (bytes < (options.workerMinBytes ?? TSTAT_SEND_DEFAULTS.workerMinBytes)) return false;
  if (options.verbose)
    options.log('process_output.workers', `rendering on ${rendering.workers} worker threads`);
  rendering.pool = new TstatRenderPool(options, rendering.workers, workerChunkBytes(options));
  return true;
}

function workerChunkBytes(options: TstatSendOptions): number {
  return options.chunkBytes ?? TSTAT_SEND_DEFAULTS.workerChunkBytes;
}

/** One attempt at sending a directory: what both paths read, count into and report to. */
interface DirAttempt {
  dir: TstatDir;
  options: TstatSendOptions;
  summary: TstatSendSummary;
  /** Where rows are counted: the summary's counters on the first attempt, scratch ones on a resend. */
  rows: SourceCounters;
  /** Warnings are logged, and dropped directions counted, on the first attempt only. */
  firstAttempt: boolean;
  /** Called as rows are read (progress). */
  onRows: () => void;
}

/** The in-thread path: each chunk read is scanned and rendered into the slices here. */
async function sendDir(attempt: DirAttempt, renderer: TstatJsonRenderer): Promise<number> {
  const { dir, options, summary, firstAttempt, onRows } = attempt;
  const { sink, log } = options;
  const slices = new JsonSliceWriter(
    options.sliceSize ?? TSTAT_JSON_DEFAULTS.sliceSize,
    options.sliceBlockBytes ?? JSON_SLICE_DEFAULTS.blockBytes,
  );
  const publish = slicePublisher(dir, options);
  for (const protocol of ['tcp', 'udp'] as const) {
    const file = resolve(dir.path, tstatLogName(protocol));
    if (!dir.logs.includes(protocol)) {
      if (firstAttempt)
        log('process_output.warn', `No ${protocol} log at path: ${resolve(dir.path)} - skipping`);
      continue;
    }
    log('process_output.run', `processing: ${file}`);
    const scanner = inThreadScanner(file, protocol, renderer, slices, attempt);
    for await (const [bytes, end] of tstatLogChunks(file, options.chunkBytes)) {
      scanner.scan(bytes, 0, end);
      for (const slice of slices.takeFinished()) await publish.slice(slice);
      onRows();
    }
    scanner.finish();
  }
  slices.flush();
  for (const slice of slices.takeFinished()) await publish.slice(slice);
  await sink.confirmAll();
  summary.objects += slices.objects;
  summary.messages += publish.count();
  return slices.objects;
}

/** Publishes the slices of a directory in order, with their stable ids. */
function slicePublisher(dir: TstatDir, options: TstatSendOptions) {
  let sliceIndex = 0;
  return {
    async slice({ body, release }: JsonSlice): Promise<void> {
      // Publishing waits only when the transport pushes back; confirms are awaited once per directory.
      await options.sink.publish({ body, release, messageId: sliceMessageId(dir.path, sliceIndex) });
      sliceIndex++;
      if (options.verbose) options.log('_process_payload.run', 'successfully processed slice');
    },
    count: (): number => sliceIndex,
  };
}

/** A scanner rendering the rows of `file` into `slices` in this thread, logging as the original. */
function inThreadScanner(
  file: string,
  protocol: TstatProtocol,
  renderer: TstatJsonRenderer,
  slices: JsonSliceWriter,
  { options, rows, firstAttempt }: DirAttempt,
): TstatLogScanner {
  const { log } = options;
  const onSkip = ({ line, reason }: { line: number; reason: string }): void => {
    if (firstAttempt) log('process_output.warn', `bad row in ${file}:${line}: ${reason}, skipped`);
  };
  return new TstatLogScanner(
    file,
    {
      header: (columns) => renderer.bind(protocol, columns),
      row: (row) => {
        renderer.render(row, slices);
        if (renderer.dropped.length > 0 && firstAttempt) {
          log(
            'capsule_factory.warn',
            `${file}:${row.line}: ${renderer.dropped.join(', ')}: direction skipped`,
          );
        }
      },
    },
    { counters: rows, onSkip },
  );
}

const NEWLINE = 0x0a;
const QUOTE = 0x22;
const CARRIAGE_RETURN = 0x0d;

/** True if bytes[start, end) holds a quote or a carriage return (memchr: cheap next to rendering). */
function hasSpecial(bytes: Buffer, start: number, end: number): boolean {
  const region = bytes.subarray(start, end);
  return region.includes(QUOTE) || region.includes(CARRIAGE_RETURN);
}

/** Lines in bytes[start, end) (the last may lack its newline). */
function countLines(bytes: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let at = bytes.indexOf(NEWLINE, start); at >= 0 && at < end; at = bytes.indexOf(NEWLINE, at + 1))
    lines++;
  return end > start && bytes[end - 1] !== NEWLINE ? lines + 1 : lines;
}

/** A log being read on the parallel path. */
interface LogRead {
  file: string;
  protocol: TstatProtocol;
  /** The header line (with a newline) when chunks go to workers. */
  header: Buffer | undefined;
  /** Lines consumed so far (the header included): where the next chunk's line numbers start. */
  lines: number;
  /** Set once the log is read in this thread (a quote or carriage return was met). */
  scanner: TstatLogScanner | undefined;
}

/** What the consumer does next, in order: log a line, append a rendered chunk, scan a chunk here. */
interface Step {
  /** True for a chunk (counts against the jobs in flight). */
  chunk: boolean;
  run(): Promise<void> | void;
}

let nextLogId = 0;

/**
 * The parallel path: this thread reads the logs in chunks of whole lines and hands each chunk to a
 * rendering worker; the results come back in any order and are consumed in chunk order (a queue of
 * steps), so slices, warnings and counters are exactly those of the in-thread path. At most
 * `pool.maxInFlight` chunks are queued: reading waits for the oldest result, publishing for the
 * transport. A chunk holding a quote or a carriage return (a quoted field may span lines; `\r` ends a
 * line for Python) is read here instead, with the rest of its log, after every earlier chunk.
 */
async function sendDirParallel(attempt: DirAttempt, rendering: Rendering): Promise<number> {
  const { dir, options, summary, rows, firstAttempt, onRows } = attempt;
  const { sink, log } = options;
  const pool = rendering.pool as TstatRenderPool;
  const slices = new JsonSliceWriter(
    options.sliceSize ?? TSTAT_JSON_DEFAULTS.sliceSize,
    options.sliceBlockBytes ?? JSON_SLICE_DEFAULTS.blockBytes,
  );
  const publish = slicePublisher(dir, options);
  const sliceSize = slices.sliceSize;
  // Objects of the chunks handed out so far, as expected when handed out, corrected as they come back.
  // At threshold 0 a line gives two objects (unless a row is skipped or a direction dropped).
  let objectsGuessed = 0;
  const everyDirection = options.thresholdMB <= 0;
  const publishFinished = async (): Promise<void> => {
    for (const slice of slices.takeFinished()) await publish.slice(slice);
  };

  const steps: Step[] = [];
  let chunksQueued = 0;
  const next = async (): Promise<void> => {
    const step = steps.shift() as Step;
    if (step.chunk) chunksQueued--;
    await step.run();
  };
  const queue = async (step: Step): Promise<void> => {
    steps.push(step);
    if (step.chunk) chunksQueued++;
    while (chunksQueued >= pool.maxInFlight) await next();
  };

  const appendRendered = async (
    read: LogRead,
    rendered: Promise<RenderedChunk>,
    expected: number,
  ): Promise<void> => {
    const result = await rendered;
    if (firstAttempt) {
      for (const { line, skipped, dropped } of result.warnings) {
        if (skipped !== undefined)
          log('process_output.warn', `bad row in ${read.file}:${read.lines + line}: ${skipped}, skipped`);
        else
          log(
            'capsule_factory.warn',
            `${read.file}:${read.lines + line}: ${(dropped ?? []).join(', ')}: direction skipped`,
          );
      }
      addCounts(rendering.dropped, result.dropped);
    }
    rows.read += result.rows.read;
    rows.decoded += result.rows.decoded;
    addCounts(rows.skipped, result.rows.skipped);
    const { starts, ends, objects, phase } = result;
    slices.appendObjects({ bytes: Buffer.from(result.output), starts, ends, count: objects, phase }, () =>
      result.hold(),
    );
    objectsGuessed += objects - expected;
    read.lines += result.lines;
    result.release();
    await publishFinished();
    onRows();
  };

  const scanHere = async (read: LogRead, bytes: Buffer, start: number, end: number): Promise<void> => {
    if (read.scanner === undefined) {
      read.scanner = inThreadScanner(read.file, read.protocol, rendering.renderer, slices, attempt);
      // Chunks before this one went to workers: the scanner takes the header, then goes on from there.
      if (read.header !== undefined) {
        read.scanner.scan(read.header, 0, read.header.length);
        read.scanner.continueAt(read.lines);
      }
    }
    const before = slices.objects;
    read.scanner.scan(bytes, start, end);
    objectsGuessed += slices.objects - before;
    pool.releaseInput(bytes);
    await publishFinished();
    onRows();
  };

  for (const protocol of ['tcp', 'udp'] as const) {
    const file = resolve(dir.path, tstatLogName(protocol));
    if (!dir.logs.includes(protocol)) {
      if (firstAttempt)
        await queue({
          chunk: false,
          run: () =>
            log('process_output.warn', `No ${protocol} log at path: ${resolve(dir.path)} - skipping`),
        });
      continue;
    }
    await queue({ chunk: false, run: () => log('process_output.run', `processing: ${file}`) });
    const read: LogRead = { file, protocol, header: undefined, lines: 0, scanner: undefined };
    const logId = nextLogId++;
    let inThread = false;
    let first = true;
    for await (const [bytes, end] of tstatLogBlocks(
      file,
      (size) => pool.allocateInput(size),
      workerChunkBytes(options),
    )) {
      let start = 0;
      if (first) {
        first = false;
        const newline = bytes.indexOf(NEWLINE);
        const headerEnd = newline < 0 || newline >= end ? end : newline;
        if (hasSpecial(bytes, 0, headerEnd)) inThread = true;
        else {
          // With its newline: an empty header line is still a line (of no columns).
          read.header = Buffer.concat([bytes.subarray(0, headerEnd), Buffer.of(NEWLINE)]);
          read.lines = 1;
          start = Math.min(end, headerEnd + 1);
        }
      }
      if (!inThread && hasSpecial(bytes, start, end)) inThread = true;
      if (inThread) {
        const chunkStart = start;
        await queue({ chunk: true, run: () => scanHere(read, bytes, chunkStart, end) });
      } else if (start < end) {
        // Where this chunk's objects will start in their slice, if every chunk in flight gives the
        // objects expected: the worker then lays them out as slices, handed out without a copy.
        const expected = everyDirection ? 2 * countLines(bytes, start, end) : 0;
        const phase = objectsGuessed % sliceSize;
        objectsGuessed += expected;
        const rendered = pool.render(file, {
          log: logId,
          protocol,
          header: read.header as Buffer,
          input: bytes,
          start,
          end,
          sliceSize,
          phase,
        });
        await queue({ chunk: true, run: () => appendRendered(read, rendered, expected) });
      } else pool.releaseInput(bytes);
    }
    await queue({
      chunk: false,
      run: () => {
        const before = slices.objects;
        read.scanner?.finish();
        objectsGuessed += slices.objects - before;
      },
    });
  }
  while (steps.length > 0) await next();
  slices.flush();
  await publishFinished();
  await sink.confirmAll();
  summary.objects += slices.objects;
  summary.messages += publish.count();
  return slices.objects;
}
