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
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../io/atomic.js';
import { createProgress } from '../../io/progress.js';
import type { SourceCounters } from '../../model/record.js';
import { newSourceCounters } from '../../model/record.js';
import type { TstatJsonOptions } from '../../report/tstat-json.js';
import type { JsonSlice } from '../../report/json-slices.js';
import { JSON_SLICE_DEFAULTS, JsonSliceWriter } from '../../report/json-slices.js';
import { TSTAT_JSON_DEFAULTS, TstatJsonRenderer } from '../../report/tstat-json.js';
import type { MessageSink } from '../../sinks/types.js';
import { TstatLogScanner, tstatLogChunks, tstatLogName } from '../../sources/tstat.js';
import type { TstatDir } from '../../sources/tstat-tree.js';
import { PROCESSED_MARK, findTstatDirs } from '../../sources/tstat-tree.js';
import type { TstatLog } from './log.js';

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
}

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
  const renderer = new TstatJsonRenderer(options);
  const progress = createProgress('tstat send', 'rows');
  try {
    for await (const dir of findTstatDirs(options.directory)) {
      if (dir.processed) {
        summary.directoriesSkipped++;
        continue;
      }
      const objects = await sendDirWithResends(dir, renderer, options, summary, () =>
        progress.update(summary.rows.read),
      );
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
    Object.assign(summary.droppedDirections, renderer.skipped);
  }
  return summary;
}

async function sendDirWithResends(
  dir: TstatDir,
  renderer: TstatJsonRenderer,
  options: TstatSendOptions,
  summary: TstatSendSummary,
  onRows: () => void,
): Promise<number> {
  const resends = options.resends ?? 3;
  for (let attempt = 0; ; attempt++) {
    // Rows are counted once: a resend re-reads the same rows.
    const rows = attempt === 0 ? summary.rows : newSourceCounters();
    try {
      return await sendDir(dir, renderer, options, summary, rows, attempt === 0, onRows);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      options.log('_process_payload.error', `error processing slice: ${message}`);
      if (attempt >= resends || !(await options.sink.recover(error))) throw error;
      summary.resends++;
      options.log('process_output.resend', `resending ${resolve(dir.path)} from its first slice`);
    }
  }
}

async function sendDir(
  dir: TstatDir,
  renderer: TstatJsonRenderer,
  options: TstatSendOptions,
  summary: TstatSendSummary,
  rows: SourceCounters,
  firstAttempt: boolean,
  onRows: () => void,
): Promise<number> {
  const { sink, log } = options;
  const slices = new JsonSliceWriter(
    options.sliceSize ?? TSTAT_JSON_DEFAULTS.sliceSize,
    options.sliceBlockBytes ?? JSON_SLICE_DEFAULTS.blockBytes,
  );
  let sliceIndex = 0;
  const publish = async ({ body, release }: JsonSlice): Promise<void> => {
    // Publishing waits only when the transport pushes back; confirms are awaited once per directory.
    await sink.publish({ body, release, messageId: sliceMessageId(dir.path, sliceIndex) });
    sliceIndex++;
    if (options.verbose) log('_process_payload.run', 'successfully processed slice');
  };
  for (const protocol of ['tcp', 'udp'] as const) {
    const file = resolve(dir.path, tstatLogName(protocol));
    if (!dir.logs.includes(protocol)) {
      if (firstAttempt)
        log('process_output.warn', `No ${protocol} log at path: ${resolve(dir.path)} - skipping`);
      continue;
    }
    log('process_output.run', `processing: ${file}`);
    const onSkip = ({ line, reason }: { line: number; reason: string }): void => {
      if (firstAttempt) log('process_output.warn', `bad row in ${file}:${line}: ${reason}, skipped`);
    };
    const scanner = new TstatLogScanner(
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
    for await (const [bytes, end] of tstatLogChunks(file)) {
      scanner.scan(bytes, 0, end);
      for (const slice of slices.takeFinished()) await publish(slice);
      onRows();
    }
    scanner.finish();
  }
  slices.flush();
  for (const slice of slices.takeFinished()) await publish(slice);
  await sink.confirmAll();
  summary.objects += slices.objects;
  summary.messages += sliceIndex;
  return slices.objects;
}
