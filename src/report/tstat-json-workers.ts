/**
 * A small pool of worker threads that render chunks of tstat logs into JSON objects
 * (tstat-json-chunks.ts), so that rendering runs on several cores while the calling thread reads files,
 * appends the objects to slices in order and publishes them.
 *
 * Why threads: at `--threshold 0` every line becomes two ~1 KB objects, and one JavaScript thread renders
 * about 150,000-200,000 lines per CPU-second; the rendering of one chunk does not depend on any other (a
 * plain chunk: no quotes), so it spreads over cores, and only the cheap part stays on the calling thread:
 * reading, and appending the results in order (whole slices are views of a worker's output, see
 * JsonObjectBuffer).
 *
 * Memory: a chunk's input is transferred (not copied) to a worker and comes back with the objects in a
 * transferred buffer; the caller keeps at most `maxInFlight` jobs in flight (back-pressure), and the
 * buffers are reused once the caller and every slice lent out of them released them.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { bundleIsCurrent } from '../io/bundle-state.js';
import { NetledgerError } from '../model/errors.js';
import type { TstatChunkJob, TstatChunkResult } from './tstat-json-chunks.js';
import type { TstatJsonOptions } from './tstat-json.js';
import type { TstatWorkerData, TstatWorkerRequest } from './tstat-json-worker.js';

export const TSTAT_WORKER_DEFAULTS = {
  /** Jobs queued per worker (one being rendered, one waiting): enough to keep it busy, no more. */
  jobsPerWorker: 2,
  /** Spare input and output buffers kept for reuse. */
  spareBuffers: 4,
} as const;

/**
 * Rendering threads by default: one per core the process may use, at most 4 (the calling thread reads,
 * appends and publishes for all of them: ~1 CPU-s per 1M lines at threshold 0, so beyond ~4 workers it
 * would become the limit). 1 means no worker: everything is rendered in the calling thread.
 */
export function defaultRenderWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * A rendered chunk. Its output memory may be lent out as slices (`hold`, once per slice, returns that
 * slice's release); `release` says the caller is done with the rest. The buffers are reused once both the
 * caller and every slice released them.
 */
export interface RenderedChunk extends TstatChunkResult {
  hold(): () => void;
  release(): void;
}

interface PendingJob {
  file: string;
  resolve: (result: RenderedChunk) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, PendingJob>;
}

/**
 * The worker's module. From the bundle: its entry next to this module's chunk (dist/cli). From the
 * sources: the bundled worker too when the bundle is current (as bin/launch.js decides for the bins: no
 * source changed since the build; NETLEDGER_FROM_SOURCE=1 says no), because a worker started through tsx
 * costs ~0.4 CPU-s and ~40 MiB more (its own TypeScript loader thread); else the sources through tsx.
 */
function workerUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./tstat-json-worker.js', import.meta.url);
  const root = new URL('../../', import.meta.url);
  if (bundleIsCurrent(root, 'src/report/tstat-json-worker.ts'))
    return new URL('dist/cli/tstat-json-worker.js', root);
  return new URL('./tstat-json-worker.boot.mjs', import.meta.url);
}

/** A worker failed (crashed, or a bug in rendering): the run stops, naming the log. */
export class TstatWorkerError extends NetledgerError {
  constructor(message: string, file: string, cause?: unknown) {
    super('NL_ERR_INTERNAL', `rendering worker failed: ${message}`, { position: { file }, cause });
  }
}

export class TstatRenderPool {
  readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  /** Why a worker failed: every later job fails with it. */
  private failure: string | undefined;
  private closing = false;
  private readonly spareInputs: ArrayBuffer[] = [];
  private readonly spareOutputs: ArrayBuffer[] = [];

  constructor(
    private readonly options: TstatJsonOptions,
    size: number,
    private readonly inputBytes: number,
  ) {
    this.size = Math.max(1, size);
  }

  /** Jobs the caller should keep in flight at most. */
  get maxInFlight(): number {
    return this.size * TSTAT_WORKER_DEFAULTS.jobsPerWorker;
  }

  /** A buffer of `bytes` for reading a chunk into (reused when it has the chunk size). */
  allocateInput(bytes: number): Buffer {
    const reused = bytes === this.inputBytes ? this.spareInputs.pop() : undefined;
    // Its own ArrayBuffer (Buffer.allocUnsafe may slice Node's shared pool): it is transferred whole.
    return Buffer.from(reused ?? new ArrayBuffer(bytes));
  }

  /** Gives back an input buffer that was not sent to a worker (read in place instead). */
  releaseInput(buffer: Buffer): void {
    this.spareInput(buffer.buffer as ArrayBuffer);
  }

  /**
   * Renders `input[start, end)` of log `file` on a worker. The input buffer is transferred (unusable
   * here until the result hands it back). Rejects with a TstatWorkerError naming `file` if the worker
   * fails.
   */
  render(
    file: string,
    job: Omit<TstatChunkJob, 'input' | 'output'> & { input: Buffer },
  ): Promise<RenderedChunk> {
    if (this.failure !== undefined) return Promise.reject(new TstatWorkerError(this.failure, file));
    const input = job.input.buffer as ArrayBuffer;
    if (job.input.byteOffset !== 0 || job.input.length !== input.byteLength)
      throw new Error('TstatRenderPool.render: the input must be a whole ArrayBuffer (allocateInput)');
    const target = this.idlest();
    const id = this.nextId++;
    const output = this.spareOutputs.pop();
    const request: TstatWorkerRequest = { id, job: { ...job, input, output } };
    const result = new Promise<RenderedChunk>((resolve, reject) => {
      target.pending.set(id, { file, resolve, reject });
      target.worker.postMessage(request, output === undefined ? [input] : [input, output]);
    });
    // A caller that stopped on an earlier failure never awaits the rest: not an unhandled rejection.
    result.catch(() => undefined);
    return result;
  }

  /** Ends the workers (pending jobs are rejected). Safe to call more than once. */
  async close(): Promise<void> {
    this.closing = true;
    const workers = this.workers.splice(0);
    for (const { pending } of workers) this.failPending(pending, new Error('render pool closed'));
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  /** The worker with the fewest jobs queued; started when the pool is not full yet. */
  private idlest(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const candidate of this.workers) {
      if (best === undefined || candidate.pending.size < best.pending.size) best = candidate;
    }
    if ((best === undefined || best.pending.size > 0) && this.workers.length < this.size) return this.start();
    return best as PoolWorker;
  }

  private start(): PoolWorker {
    // Only the rendering options: the caller's object may hold anything (a transport, callbacks).
    const { thresholdMB, sensorId, instanceId } = this.options;
    const workerData: TstatWorkerData = { options: { thresholdMB, sensorId, instanceId } };
    const worker = new Worker(workerUrl(), { workerData, execArgv: [] });
    const entry: PoolWorker = { worker, pending: new Map() };
    worker.on('message', (message: { id: number; result?: TstatChunkResult; error?: string }) => {
      const job = entry.pending.get(message.id);
      if (job === undefined) return;
      entry.pending.delete(message.id);
      if (message.result === undefined) {
        const reason = message.error ?? 'no result';
        this.failure ??= reason;
        job.reject(new TstatWorkerError(reason, job.file));
        return;
      }
      const result = message.result;
      // The caller's hold, plus one per slice lent out.
      let holds = 1;
      const drop = (): void => {
        if (--holds === 0 && this.spareOutputs.length < TSTAT_WORKER_DEFAULTS.spareBuffers)
          this.spareOutputs.push(result.output);
      };
      let released = false;
      job.resolve({
        ...result,
        hold: () => {
          holds++;
          let dropped = false;
          return () => {
            if (dropped) return;
            dropped = true;
            drop();
          };
        },
        release: () => {
          if (released) return;
          released = true;
          this.spareInput(result.input);
          drop();
        },
      });
    });
    const crashed = (error: Error): void => {
      if (this.closing) return;
      this.failure ??= error.message;
      for (const [id, job] of entry.pending) {
        entry.pending.delete(id);
        job.reject(new TstatWorkerError(error.message, job.file, error));
      }
    };
    worker.on('error', crashed);
    worker.on('exit', (code) => crashed(new Error(`the worker thread exited (code ${code})`)));
    this.workers.push(entry);
    return entry;
  }

  private spareInput(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.inputBytes && this.spareInputs.length < TSTAT_WORKER_DEFAULTS.spareBuffers)
      this.spareInputs.push(buffer);
  }

  private failPending(pending: Map<number, PendingJob>, error: Error): void {
    for (const [id, job] of pending) {
      pending.delete(id);
      job.reject(error);
    }
  }
}
