/**
 * One chunk of a tstat log (whole lines, no header) → its JSON objects, as a rendering worker thread does
 * it (tstat-json-worker.ts): the same scanner and renderer as the in-thread path, writing into a
 * `JsonObjectBuffer` instead of slices, and reporting what the in-thread path logs and counts as it goes
 * (rows skipped, directions dropped, with line numbers relative to the chunk) so that the thread that
 * consumes the results, in chunk order, can log and count exactly the same.
 *
 * The chunk must hold no quote and no carriage return: the caller checks (a quoted field may run over
 * lines, so such a chunk can only be read in order, after the previous one).
 */
import type { SourceCounters } from '../model/record.js';
import { newSourceCounters } from '../model/record.js';
import type { TstatProtocol } from '../sources/tstat.js';
import { TstatLogScanner } from '../sources/tstat.js';
import { JsonObjectBuffer } from './json-slices.js';
import type { TstatJsonOptions, TstatSkipReason } from './tstat-json.js';
import { TstatJsonRenderer } from './tstat-json.js';

export interface TstatChunkJob {
  /** Identifies the log: jobs of one log share a header, and a worker keeps a scanner per log. */
  log: number;
  protocol: TstatProtocol;
  /** The log's first line, the header, with its newline. */
  header: Uint8Array;
  /** The chunk: input[start, end) holds whole lines. */
  input: ArrayBuffer;
  start: number;
  end: number;
  /** Memory for the objects (reused from an earlier result); a new buffer when absent or too small. */
  output?: ArrayBuffer;
  /** Objects per slice, and the objects the open slice should hold before this chunk's first. */
  sliceSize: number;
  phase: number;
}

/** Something the in-thread path logs, at a line relative to the chunk (1 = its first line). */
export interface TstatChunkWarning {
  line: number;
  /** The row was skipped (`short row`, `long row`). */
  skipped?: string;
  /** Directions of the row were dropped, why (in the order they were). */
  dropped?: TstatSkipReason[];
}

export interface TstatChunkResult {
  /** The job's input, handed back for reuse. */
  input: ArrayBuffer;
  /** The objects, laid out as slices for `phase` (see JsonObjectBuffer): object i is [starts[i], ends[i]). */
  output: ArrayBuffer;
  starts: Int32Array;
  ends: Int32Array;
  objects: number;
  phase: number;
  /** Lines in the chunk (blank ones included): the next chunk's first line follows them. */
  lines: number;
  rows: SourceCounters;
  /** Directions dropped, by reason. */
  dropped: Record<string, number>;
  warnings: TstatChunkWarning[];
}

/** Bytes of output memory per byte of input, to start with (-T 0 gives ~4.8; it grows when needed). */
const OUTPUT_PER_INPUT = 6;

interface LogState {
  log: number;
  scanner: TstatLogScanner;
  renderer: TstatJsonRenderer;
  counters: SourceCounters;
}

/** Renders chunks of any number of logs (one scanner and renderer per log, the last few kept). */
export class TstatChunkRenderer {
  private readonly logs: LogState[] = [];
  private objects = new JsonObjectBuffer(Buffer.alloc(0), 1);
  /** The job being rendered: where the scanner's callbacks report. */
  private warnings: TstatChunkWarning[] = [];

  constructor(private readonly options: TstatJsonOptions) {}

  render(job: TstatChunkJob): TstatChunkResult {
    const state = this.logState(job);
    const { scanner, counters } = state;
    const input = Buffer.from(job.input);
    const outputBytes = OUTPUT_PER_INPUT * (job.end - job.start) + 4096;
    const output =
      job.output !== undefined && job.output.byteLength >= outputBytes
        ? Buffer.from(job.output)
        : Buffer.from(new ArrayBuffer(outputBytes));
    // Fresh offset arrays: the result's are transferred.
    this.objects = new JsonObjectBuffer(output, job.sliceSize, Math.max(1024, this.objects.ends.length));
    this.objects.reset(output, job.phase);
    this.warnings = [];
    scanner.continueAt(0);
    scanner.scan(input, job.start, job.end);
    const rows = { ...counters, skipped: { ...counters.skipped } };
    Object.assign(counters, newSourceCounters());
    const dropped = { ...state.renderer.skipped };
    for (const reason of Object.keys(state.renderer.skipped)) delete state.renderer.skipped[reason];
    return {
      input: job.input,
      output: this.objects.out.buffer as ArrayBuffer,
      starts: this.objects.starts.subarray(0, this.objects.count),
      ends: this.objects.ends.subarray(0, this.objects.count),
      objects: this.objects.count,
      phase: job.phase,
      lines: scanner.lines,
      rows,
      dropped,
      warnings: this.warnings,
    };
  }

  private logState(job: TstatChunkJob): LogState {
    const known = this.logs.find((state) => state.log === job.log);
    if (known !== undefined) return known;
    const renderer = new TstatJsonRenderer(this.options);
    const counters = newSourceCounters();
    const scanner = new TstatLogScanner(
      '',
      {
        header: (columns) => renderer.bind(job.protocol, columns),
        row: (row) => {
          renderer.render(row, this.objects);
          if (renderer.dropped.length > 0)
            this.warnings.push({ line: row.line, dropped: [...renderer.dropped] });
        },
      },
      { counters, onSkip: ({ line, reason }) => this.warnings.push({ line, skipped: reason }) },
    );
    scanner.scan(Buffer.from(job.header), 0, job.header.length);
    const state = { log: job.log, scanner, renderer, counters };
    // Jobs come from the logs of one directory at a time (tcp, udp): a few logs are plenty.
    if (this.logs.unshift(state) > 4) this.logs.pop();
    return state;
  }
}
