/**
 * One argus flow record as both argus readers (the native decoder and the `ra` CSV path) hand it out.
 *
 * Readers fill one mutable object per record and call back; nothing is allocated per record on the hot
 * path. Addresses stay numeric (IPv4 as uint32, IPv6 as bigint), MACs as 48-bit numbers; text is made only
 * when a consumer asks for it.
 */
import { formatIPv4, formatIPv6, type IpAddress } from '../../model/ip.js';
import { formatMac } from '../../model/mac.js';
import type { TrafficRecord } from '../../model/record.js';

/** No MAC DSR in the record (argus ran without `-m`). */
export const NO_MAC = -1;
/** No VLAN DSR in the record. */
export const NO_VLAN = -1;

export interface ArgusFlow {
  /** Native reader: byte offset of the record; `ra` reader: line number of the CSV row. */
  position: number;
  /** Record cause byte (0x10 start, 0x20 status, 0x30 stop…); 0 from the `ra` reader, which does not print it. */
  cause: number;
  /** First and last packet time, epoch microseconds (exact integers). */
  startUs: number;
  endUs: number;
  /** IP protocol number. */
  proto: number;
  family: 4 | 6;
  srcV4: number;
  dstV4: number;
  srcV6: bigint;
  dstV6: bigint;
  /** Ports for TCP/UDP; ICMP type and code, as `ra` prints them in the port columns; 0 otherwise. */
  sport: number;
  dport: number;
  smac: number;
  dmac: number;
  vlan: number;
  /** Source side (the flow's initiator) and destination side counters; bytes are whole frames. */
  spkts: number;
  sbytes: number;
  sappbytes: number;
  dpkts: number;
  dbytes: number;
  dappbytes: number;
}

export function newArgusFlow(): ArgusFlow {
  return {
    position: 0,
    cause: 0,
    startUs: 0,
    endUs: 0,
    proto: 0,
    family: 4,
    srcV4: 0,
    dstV4: 0,
    srcV6: 0n,
    dstV6: 0n,
    sport: 0,
    dport: 0,
    smac: NO_MAC,
    dmac: NO_MAC,
    vlan: NO_VLAN,
    spkts: 0,
    sbytes: 0,
    sappbytes: 0,
    dpkts: 0,
    dbytes: 0,
    dappbytes: 0,
  };
}

/** Protocol names as `ra -n` prints them (and back). */
const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'],
  [2, 'igmp'],
  [6, 'tcp'],
  [17, 'udp'],
  [47, 'gre'],
  [50, 'esp'],
  [51, 'ah'],
  [58, 'ipv6-icmp'],
  [132, 'sctp'],
]);
const PROTO_NUMBERS: ReadonlyMap<string, number> = new Map([...PROTO_NAMES].map(([n, name]) => [name, n]));

export function protoName(proto: number): string {
  return PROTO_NAMES.get(proto) ?? String(proto);
}

/** The protocol number of a name `ra -n` prints (or a number as text); undefined when unknown. */
export function protoNumber(name: string): number | undefined {
  const known = PROTO_NUMBERS.get(name);
  if (known !== undefined) return known;
  return /^\d{1,3}$/.test(name) && Number(name) <= 255 ? Number(name) : undefined;
}

export function srcAddress(flow: ArgusFlow): IpAddress {
  return flow.family === 4 ? { family: 4, value: BigInt(flow.srcV4) } : { family: 6, value: flow.srcV6 };
}

export function dstAddress(flow: ArgusFlow): IpAddress {
  return flow.family === 4 ? { family: 4, value: BigInt(flow.dstV4) } : { family: 6, value: flow.dstV6 };
}

export function formatSrc(flow: ArgusFlow): string {
  return flow.family === 4 ? formatIPv4(flow.srcV4) : formatIPv6(flow.srcV6);
}

export function formatDst(flow: ArgusFlow): string {
  return flow.family === 4 ? formatIPv4(flow.dstV4) : formatIPv6(flow.dstV6);
}

/** `1455745800.250000`: epoch microseconds the way `ra -u` prints them. */
export function formatEpochMicros(micros: number): string {
  const seconds = Math.floor(micros / 1e6);
  return `${seconds}.${String(micros - seconds * 1e6).padStart(6, '0')}`;
}

/**
 * The common records of one argus flow: one per direction that carried packets. The reverse direction
 * swaps addresses, ports and MACs; `extra.appBytes` keeps argus' L4 payload count.
 */
export function flowToTrafficRecords(flow: ArgusFlow, sensor?: string): TrafficRecord[] {
  const start = flow.startUs / 1e6;
  const end = flow.endUs / 1e6;
  const src = formatSrc(flow);
  const dst = formatDst(flow);
  const proto = protoName(flow.proto);
  const records: TrafficRecord[] = [];
  const make = (forward: boolean): TrafficRecord => {
    const record: TrafficRecord = {
      start,
      end,
      src: forward ? src : dst,
      dst: forward ? dst : src,
      sport: forward ? flow.sport : flow.dport,
      dport: forward ? flow.dport : flow.sport,
      proto,
      packets: forward ? flow.spkts : flow.dpkts,
      bytes: forward ? flow.sbytes : flow.dbytes,
      extra: { appBytes: forward ? flow.sappbytes : flow.dappbytes },
    };
    const fromMac = forward ? flow.smac : flow.dmac;
    const toMac = forward ? flow.dmac : flow.smac;
    if (fromMac !== NO_MAC) record.srcMac = formatMac(fromMac);
    if (toMac !== NO_MAC) record.dstMac = formatMac(toMac);
    if (flow.vlan !== NO_VLAN) record.vlan = flow.vlan;
    if (sensor !== undefined) record.sensor = sensor;
    return record;
  };
  if (flow.spkts > 0) records.push(make(true));
  if (flow.dpkts > 0) records.push(make(false));
  return records;
}
