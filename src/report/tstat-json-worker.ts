/**
 * A rendering worker thread (node:worker_threads) of `TstatRenderPool`: renders the chunks it is sent
 * (tstat-json-chunks.ts) and sends each result back, its buffers transferred, not copied. It keeps no
 * state beyond the scanners of the logs it saw; the pool that started it ends it.
 *
 * Started as dist/cli/tstat-json-worker.js from the bundle (an entry of scripts/build.ts), or through
 * tstat-json-worker.boot.mjs from the sources.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { TstatChunkJob } from './tstat-json-chunks.js';
import { TstatChunkRenderer } from './tstat-json-chunks.js';
import type { TstatJsonOptions } from './tstat-json.js';

/** Pool → worker. */
export interface TstatWorkerRequest {
  id: number;
  job: TstatChunkJob;
}

/** The options every job is rendered with, given when the worker starts. */
export interface TstatWorkerData {
  options: TstatJsonOptions;
}

const port = parentPort;
if (port === null) throw new Error('tstat-json-worker runs as a worker thread');
const renderer = new TstatChunkRenderer((workerData as TstatWorkerData).options);

port.on('message', ({ id, job }: TstatWorkerRequest) => {
  let result;
  try {
    result = renderer.render(job);
  } catch (error) {
    // A bug, not bad input (the renderer handles any bytes): the pool fails the run, naming the file.
    port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return;
  }
  const { input, output, starts, ends } = result;
  port.postMessage({ id, result }, [input, output, starts.buffer as ArrayBuffer, ends.buffer as ArrayBuffer]);
});
