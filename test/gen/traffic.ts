/**
 * Seeded traffic for tests and the benchmark: many hosts (IPv4 and IPv6), Ethernet with and without
 * 802.1Q tags, heavy-tailed flows; with the per-host ground truth computed from the specs alone.
 */
import type { PacketSpec } from './packets.js';
import { SeededRandom } from './random.js';

interface Flow {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  vlans: number[];
  srcMac: string;
  dstMac: string;
}

export interface TrafficOptions {
  hosts?: number;
  flows?: number;
  /** Start time, epoch seconds. */
  start?: number;
}

function mac(random: SeededRandom): string {
  const bytes = [
    2,
    random.int(0, 255),
    random.int(0, 255),
    random.int(0, 255),
    random.int(0, 255),
    random.int(0, 255),
  ];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** `count` packets from `seed`: the same seed always gives the same packets. */
export function* trafficSpecs(
  seed: number,
  count: number,
  options: TrafficOptions = {},
): Generator<PacketSpec> {
  const random = new SeededRandom(seed);
  const hostCount = options.hosts ?? 2000;
  const hosts: string[] = [];
  for (let i = 0; i < hostCount; i++) {
    hosts.push(
      random.next() < 0.8
        ? `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`
        : `2001:db8:${random.int(1, 0xffff).toString(16)}::${random.int(1, 0xffff).toString(16)}`,
    );
  }
  const v4 = hosts.filter((host) => !host.includes(':'));
  const v6 = hosts.filter((host) => host.includes(':'));
  const flows: Flow[] = [];
  for (let i = 0; i < (options.flows ?? 5000); i++) {
    const family = random.next() < 0.8 ? v4 : v6;
    const proto = random.pick([6, 6, 6, 17, 17, 1]);
    const tags = random.next();
    flows.push({
      src: random.pick(family),
      dst: random.pick(family),
      proto: proto === 1 && family === v6 ? 58 : proto,
      sport: random.int(1024, 65535),
      dport: random.pick([80, 443, 53, 22, 25, random.int(1, 65535)]),
      vlans:
        tags < 0.6 ? [] : tags < 0.9 ? [random.int(1, 4094)] : [random.int(1, 4094), random.int(1, 4094)],
      srcMac: mac(random),
      dstMac: mac(random),
    });
  }
  let time = options.start ?? 1700000000;
  for (let i = 0; i < count; i++) {
    const flow = flows[random.pareto(1, 1.1, flows.length) - 1]!;
    time += random.int(0, 2000) / 1e6;
    const sizeDraw = random.next();
    yield {
      time,
      srcMac: flow.srcMac,
      dstMac: flow.dstMac,
      vlans: flow.vlans,
      src: flow.src,
      dst: flow.dst,
      proto: flow.proto,
      sport: flow.sport,
      dport: flow.dport,
      // Acks, full-size segments and a heavy tail between: about 450 bytes per frame on average.
      payload: sizeDraw < 0.3 ? 0 : sizeDraw < 0.58 ? 1400 : random.pareto(20, 1.3, 1400),
    };
  }
}

/** IP length of a spec (header + transport header + payload). */
export function ipLengthOf(spec: PacketSpec): number {
  const transport =
    spec.proto === 6 ? 20 : spec.proto === 17 || spec.proto === 1 || spec.proto === 58 ? 8 : 0;
  return (spec.src.includes(':') ? 40 : 20) + transport + spec.payload;
}

/** Ethernet frame length of a spec. */
export function wireLengthOf(spec: PacketSpec): number {
  return 14 + 4 * (spec.vlans?.length ?? 0) + ipLengthOf(spec);
}

export interface HostTotals {
  packets: number;
  bytes: number;
}

/** Ground truth of `--by host` (both ends, once when equal) and overall totals. */
export class HostGroundTruth {
  readonly hosts = new Map<string, HostTotals>();
  packets = 0;
  bytes = 0;

  constructor(private readonly measure: 'wire' | 'ip' = 'wire') {}

  add(spec: PacketSpec): void {
    const bytes = this.measure === 'wire' ? wireLengthOf(spec) : ipLengthOf(spec);
    this.packets++;
    this.bytes += bytes;
    this.bump(spec.src, bytes);
    if (spec.dst !== spec.src) this.bump(spec.dst, bytes);
  }

  private bump(host: string, bytes: number): void {
    const totals = this.hosts.get(host);
    if (totals === undefined) this.hosts.set(host, { packets: 1, bytes });
    else {
      totals.packets++;
      totals.bytes += bytes;
    }
  }
}
