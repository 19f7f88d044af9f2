/**
 * pcap / pcapng source: streaming container reader, packet decoder, BPF filter, per-key accounting and
 * the common-record view of a capture.
 */
export { readCapture, captureWindows, CaptureParser, READER_DEFAULTS } from './frames.js';
export type { Frame, CaptureSummary, ReadCaptureOptions } from './frames.js';
export { decodeFrame, newDecodedPacket, protocolName, formatMac } from './decode.js';
export type { DecodedPacket } from './decode.js';
export { LINKTYPE, tcpdumpLinkTypeName } from './linktypes.js';
export { BpfFilter, compileBpf, runBpf, parseBpfDecimal } from './bpf.js';
export type { BpfProgram } from './bpf.js';
export { PacketAccounting, accountCapture, parseGroupBy, OTHER_KEY } from './account.js';
export type { GroupBy, GroupKind, ByteMeasure, AccountRow, AccountCaptureOptions } from './account.js';
export { readPcapRecords, packetRecord } from './records.js';
export type { PcapRecordOptions } from './records.js';
