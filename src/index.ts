/**
 * netledger as a library: the typed core without the CLI.
 *
 * - model: records, IP values, errors, time parsing
 * - sources: one streaming reader per input format
 * - aggregate: grouping, time bins, top-N
 * - report: renderers (seed-exact text, JSON, CSV, NDJSON, HTML)
 */
export * from './model/index.js';
export * from './aggregate/timebins.js';
export * from './report/tabular.js';
export * from './report/perl-format.js';

// Sources: each reads its format as a stream and can hand out common TrafficRecords.
export { parseStatus, parseStatusTable, readStatusFile, readStatusTable } from './sources/sniffer/read.js';
export { SnifferTable } from './sources/sniffer/table.js';
export { formatDaemonStatus, formatComposite } from './sources/sniffer/write.js';
export { statusRecordBatches, statusToRecords } from './sources/sniffer/records.js';
export type {
  SnifferEntry,
  SnifferStatus,
  SnifferStatusTable,
  DaemonHeader,
} from './sources/sniffer/status.js';
export { FwctlReader, readFwctlRecords } from './sources/fwctl.js';
export { readPcapRecords } from './sources/pcap/records.js';
export { accountCapture } from './sources/pcap/account.js';
export { argusRecords } from './sources/argus/index.js';
export { readTstatRecords } from './sources/tstat.js';

// Aggregation and reports.
export {
  groupByCidr24,
  groupByDomain,
  orderByBandwidth,
  SnifferGrouping,
} from './aggregate/sniffer-groups.js';
export { mergeStatuses, mergeStatusTables } from './aggregate/sniffer-merge.js';
export { buildSnifferReport, renderSnifferText, renderSnifferTextBytes } from './report/sniffer.js';

// The ledger (DuckDB, ClickHouse) loads heavy native modules: import it from 'netledger/ledger/open'.
