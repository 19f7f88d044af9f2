/**
 * Captures as common {@link TrafficRecord}s (for the ledger): one record per packet, or one per
 * directional flow (protocol, addresses, ports) with its earliest and latest packet time.
 */
import type { Readable } from 'node:stream';
import { formatIPv4, formatIPv6 } from '../../model/ip.js';
import { countSkipped, type TrafficRecord } from '../../model/record.js';
import { BpfFilter } from './bpf.js';
import { decodeFrame, formatMac, newDecodedPacket, protocolName, type DecodedPacket } from './decode.js';
import { captureWindows, type CaptureSummary, type Frame } from './frames.js';
import type { ByteMeasure } from './account.js';

export interface PcapRecordOptions {
  /** `packet`: one record per packet; `flow`: one per directional 5-tuple (emitted at the end). */
  aggregate?: 'packet' | 'flow';
  measure?: ByteMeasure;
  bpf?: string;
  skipBad?: boolean;
  sensor?: string;
  /** Receives the reader's counters when the input ends. */
  onSummary?: (summary: CaptureSummary) => void;
}

function v6Text(data: Buffer, offset: number): string {
  return formatIPv6(BigInt('0x' + data.toString('hex', offset, offset + 16)));
}

/** One packet as a record (allocates: for the ledger path, not the accounting hot path). */
export function packetRecord(frame: Frame, packet: DecodedPacket, measure: ByteMeasure): TrafficRecord {
  const record: TrafficRecord = {
    start: frame.time,
    end: frame.time,
    packets: 1,
    bytes: measure === 'wire' ? frame.wireLength : packet.ipLength,
  };
  if (packet.ipVersion === 4) {
    record.src = formatIPv4(packet.src4);
    record.dst = formatIPv4(packet.dst4);
  } else if (packet.ipVersion === 6) {
    record.src = v6Text(packet.data, packet.src6Offset);
    record.dst = v6Text(packet.data, packet.dst6Offset);
  }
  if (packet.proto >= 0) record.proto = protocolName(packet.proto);
  if (packet.sport >= 0) {
    record.sport = packet.sport;
    record.dport = packet.dport;
  }
  if (packet.srcMacOffset >= 0) record.srcMac = formatMac(packet.data, packet.srcMacOffset);
  if (packet.dstMacOffset >= 0) record.dstMac = formatMac(packet.data, packet.dstMacOffset);
  if (packet.vlan >= 0) record.vlan = packet.vlan;
  return record;
}

/**
 * Reads a pcap/pcapng file (`-` = stdin) or stream as records.
 *
 * @example
 * for await (const record of readPcapRecords('trace.pcapng', { aggregate: 'flow' })) ledger.add(record);
 */
export async function* readPcapRecords(
  source: string | Readable | NodeJS.ReadableStream,
  options: PcapRecordOptions = {},
): AsyncGenerator<TrafficRecord, CaptureSummary, undefined> {
  const measure = options.measure ?? 'wire';
  const filter = options.bpf === undefined ? undefined : new BpfFilter(options.bpf);
  const packet = newDecodedPacket();
  const flows = new Map<string, TrafficRecord>();
  let pending: TrafficRecord[] = [];
  let decoded = 0;
  let unsupported = 0;
  const onFrame = (frame: Frame): void => {
    if (
      filter !== undefined &&
      !filter.matches(frame.linkType, frame.data, frame.offset, frame.capturedLength, frame.wireLength)
    ) {
      return;
    }
    if (!decodeFrame(frame, packet)) {
      unsupported++;
      return;
    }
    decoded++;
    const record = packetRecord(frame, packet, measure);
    if (options.sensor !== undefined) record.sensor = options.sensor;
    if (options.aggregate !== 'flow') {
      pending.push(record);
      return;
    }
    const key = `${record.proto ?? ''} ${record.src ?? ''} ${record.sport ?? ''} ${record.dst ?? ''} ${record.dport ?? ''} ${record.vlan ?? ''}`;
    const flow = flows.get(key);
    if (flow === undefined) flows.set(key, record);
    else {
      // Captures are not always in time order (merged interfaces, clock steps): the flow spans its
      // earliest and latest packet, never an end before its start.
      if (record.start < flow.start) flow.start = record.start;
      if (record.end > flow.end) flow.end = record.end;
      flow.packets = (flow.packets as number) + 1;
      flow.bytes = (flow.bytes as number) + (record.bytes as number);
    }
  };
  const windows = captureWindows(source, onFrame, {
    skipBad: options.skipBad ?? false,
    onLinkType: (linkType) => filter?.prepare(linkType),
  });
  let summary: CaptureSummary;
  for (;;) {
    const step = await windows.next();
    if (pending.length > 0) {
      const batch = pending;
      pending = [];
      yield* batch;
    }
    if (step.done) {
      summary = step.value;
      break;
    }
  }
  // As accountCapture counts them: frames of a link type the decoder does not know are skipped, not lost.
  summary.decoded = decoded;
  if (unsupported > 0) countSkipped(summary, 'unsupported-link-type', unsupported);
  yield* flows.values();
  options.onSummary?.(summary);
  return summary;
}
