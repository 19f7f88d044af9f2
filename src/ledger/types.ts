/**
 * The ledger interface: one persistent store of records behind two backends (DuckDB embedded,
 * ClickHouse at scale). Ingest is idempotent per source: the `sources` table remembers what was read.
 */
import type { BinnedRow, GroupTotal, SeriesPoint, SpanningRow } from '../aggregate/totals.js';
import type { GroupBy, KeyField } from '../aggregate/keys.js';
import type { TrafficRecord } from '../model/record.js';

/** Version of the ledger schema (tables and column meanings). Bump it on any change; see docs/ledger.md. */
export const LEDGER_SCHEMA_VERSION = 1;

/**
 * What identifies one ingested piece of a source. A file is known by its identity (real path), and its
 * content by the size and SHA-256 of the prefix `[0, size)` that has been read so far; an ingest that
 * continues a grown file covers `[fromOffset, size)`.
 */
export interface SourceFingerprint {
  /** `file:<real path>` for files, `batch:<id>` for collected batches. */
  identity: string;
  /** The path or queue as the user gave it. */
  path: string;
  format: string;
  /** Start of the part read by this ingest (0 for a whole source). */
  fromOffset: number;
  /** End of the part read: the source's size when it was read. */
  size: number;
  /** SHA-256 (hex) of the bytes `[0, size)`. */
  contentHash: string;
}

/** A row of the `sources` table: one ingest of one source (a grown file has one row per ingest). */
export interface SourceEntry extends SourceFingerprint {
  id: string;
  /** Earliest record start and latest record end in this part; undefined when it held no records. */
  firstTime: number | undefined;
  lastTime: number | undefined;
  records: bigint;
  /** Epoch seconds of the commit. */
  ingestedAt: number;
}

export interface SourceFilter {
  identity?: string;
  size?: number;
  contentHash?: string;
}

export type IngestStatus = 'ingested' | 'unchanged';

export interface IngestOutcome {
  status: IngestStatus;
  /** Records written (0 when unchanged). */
  records: number;
  entry?: SourceEntry;
}

/** Time window of a query, epoch seconds; either bound may be open. */
export interface TimeWindow {
  since?: number;
  until?: number;
}

export interface TopQuery extends TimeWindow {
  by: GroupBy;
  limit?: number;
}

export interface SeriesQuery extends TimeWindow {
  by: GroupBy;
  /** Bin width, seconds; bins are aligned to the epoch (UTC). */
  binSeconds: number;
  /** Only the keys `top` ranks first over the (bin-aligned) window. */
  limit?: number;
}

export interface IngestOptions {
  /**
   * Ids of earlier sources this one supersedes: their records stop counting when this one commits. Used
   * when a file of a format that cannot be continued from an offset has grown: it is read whole, and the
   * reads of its shorter past must not be counted a second time.
   */
  replaces?: readonly string[];
}

export interface Ledger {
  /** Where the ledger lives (a file path or a ClickHouse URL without credentials). */
  readonly location: string;
  /**
   * Writes one source's records in one transaction together with its `sources` row: either all of it is
   * committed or none of it. Returns `unchanged` when a source with the same size and content hash is
   * already recorded (checked again inside the transaction).
   */
  ingestSource(
    fingerprint: SourceFingerprint,
    batches: AsyncIterable<TrafficRecord[]>,
    options?: IngestOptions,
  ): Promise<IngestOutcome>;
  sources(filter?: SourceFilter): Promise<SourceEntry[]>;
  /** Per-key totals, largest bytes first, records starting in the window. */
  top(query: TopQuery): Promise<GroupTotal[]>;
  /** Per-bin, per-key sums; records spanning bin edges are split in proportion (aggregate/timebins). */
  series(query: SeriesQuery): Promise<SeriesPoint[]>;
  close(): Promise<void>;
}

/**
 * What a backend's SQL provides so that `top` and `series` can be written once (ledger/views.ts):
 * per-value sums, per-bin sums of records inside one bin, and the records that cross bin edges.
 */
export interface LedgerStore {
  /** Sums per stored value over all fields (a value in two fields is one row); `limit` only for identity keys. */
  groupTotals(fields: readonly KeyField[], window: TimeWindow, limit?: number): Promise<GroupTotal[]>;
  /** `values`, when given, keeps only rows whose stored value (as text) is one of them. */
  binnedTotals(
    fields: readonly KeyField[],
    binSeconds: number,
    window: TimeWindow,
    values?: readonly string[],
  ): Promise<BinnedRow[]>;
  spanningRows(
    fields: readonly KeyField[],
    binSeconds: number,
    window: TimeWindow,
    values?: readonly string[],
  ): AsyncIterable<SpanningRow[]>;
}
