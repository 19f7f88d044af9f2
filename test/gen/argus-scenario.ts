/**
 * Edge-link scenarios for the argus tests: customer routers (one MAC each, several IPv4/IPv6 hosts behind
 * each) talk through one upstream MAC to remote hosts, over TCP, UDP and ICMP, some frames 802.1Q-tagged.
 * The generator keeps the ground truth of every packet it writes, so tests can check argus' conversion
 * and netledger's accounting against exact totals.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { zeroTotals, type Totals } from '../../src/sources/argus/account.js';
import { buildPcap, type PacketSpec } from './packets.js';
import { SeededRandom } from './random.js';

export { zeroTotals, type Totals };

export const UPSTREAM_MAC = '02:00:5e:00:00:01';

export interface ScenarioPacket extends PacketSpec {
  /** Index of the flow the packet belongs to. */
  flow: number;
  /** True when the customer side sent it (out of the router), false when it came in. */
  outbound: boolean;
  /** The router MAC on the customer side. */
  routerMac: string;
  /** The customer host's address, and the remote host's. */
  localIp: string;
  remoteIp: string;
  /** The remote side's port (0 for ICMP). */
  remotePort: number;
  /** L4 payload bytes as argus counts them (ICMP includes its 8-byte header). */
  appBytes: number;
  /** Whole frame bytes on the wire. */
  frameBytes: number;
}

export interface ScenarioFlow {
  start: number;
  packets: ScenarioPacket[];
}

export interface Scenario {
  routers: string[];
  flows: ScenarioFlow[];
  /** All packets in capture order. */
  packets: ScenarioPacket[];
}

export interface ScenarioOptions {
  seed: number;
  flows: number;
  /** First packet time (epoch seconds). */
  start?: number;
  /** Flow start times spread over this many seconds. */
  spanSeconds?: number;
  /** Longest flow duration in seconds. */
  maxFlowSeconds?: number;
  routers?: number;
}

/** Remote networks: the policy tests give these classes. */
export const REMOTE_HOSTS = [
  '192.0.2.10',
  '192.0.2.77',
  '198.51.100.5',
  '198.51.100.200',
  '203.0.113.9',
  '8.8.8.8',
  '2001:db8:100::5',
  '2001:db8:100:1::9',
  '2001:db8:200::1',
];

function frameLength(spec: PacketSpec): number {
  const ipHeader = spec.src.includes(':') ? 40 : 20;
  const transport = spec.proto === 6 ? 20 : 8;
  // The packet builder does not pad short frames to 60 bytes, so the wire length is the sum of the parts.
  return 14 + 4 * (spec.vlans?.length ?? 0) + ipHeader + transport + spec.payload;
}

/** A seeded scenario: every flow keeps one router MAC, one customer IP, one remote IP and port. */
export function generateScenario(options: ScenarioOptions): Scenario {
  const random = new SeededRandom(options.seed);
  const start = options.start ?? 1_700_000_000;
  const span = options.spanSeconds ?? 120;
  const maxFlowSeconds = options.maxFlowSeconds ?? 20;
  const routers = Array.from(
    { length: options.routers ?? 4 },
    (_, index) => `00:1b:21:0a:0b:${(0x10 + index).toString(16)}`,
  );
  const hosts = routers.map((_, router) => [
    `10.${router}.0.5`,
    `10.${router}.1.17`,
    `2001:db8:${router + 1}::10`,
  ]);
  const usedMicros = new Set<number>();
  const flows: ScenarioFlow[] = [];
  for (let index = 0; index < options.flows; index++) {
    const router = random.int(0, routers.length - 1);
    const routerMac = routers[router]!;
    const v6 = random.next() < 0.25;
    const localIp = v6 ? hosts[router]![2]! : random.pick(hosts[router]!.slice(0, 2));
    const remotes = REMOTE_HOSTS.filter((host) => host.includes(':') === v6);
    const remoteIp = random.pick(remotes);
    const proto = random.pick([6, 6, 17, 17, 1]);
    const icmp = proto === 1 ? (v6 ? 58 : 1) : proto;
    const remotePort =
      icmp === 6 ? random.pick([80, 443, 22, 25]) : icmp === 17 ? random.pick([53, 123, 5060]) : 0;
    const localPort = icmp === 6 || icmp === 17 ? random.int(1024, 65535) : 0;
    const vlans = random.next() < 0.15 ? [random.int(2, 4000)] : undefined;
    const flowStart = start + random.int(0, span * 1000) / 1000;
    const duration =
      random.next() < 0.3 ? random.int(0, maxFlowSeconds * 1000) / 1000 : random.int(0, 2000) / 1000;
    const count = random.int(1, 30);
    const packets: ScenarioPacket[] = [];
    for (let n = 0; n < count; n++) {
      // Distinct microsecond timestamps across the capture: argus' record times then never tie.
      let micros = Math.round((flowStart + (count === 1 ? 0 : (duration * n) / (count - 1))) * 1e6);
      while (usedMicros.has(micros)) micros++;
      usedMicros.add(micros);
      const outbound = n === 0 || random.next() < 0.5;
      const payload = icmp === 6 && random.next() < 0.2 ? 0 : random.pareto(8, 1.2, 1400);
      const spec: PacketSpec = {
        time: micros / 1e6,
        srcMac: outbound ? routerMac : UPSTREAM_MAC,
        dstMac: outbound ? UPSTREAM_MAC : routerMac,
        src: outbound ? localIp : remoteIp,
        dst: outbound ? remoteIp : localIp,
        proto: icmp,
        sport: outbound ? localPort : remotePort,
        dport: outbound ? remotePort : localPort,
        payload,
        ...(vlans ? { vlans } : {}),
      };
      packets.push({
        ...spec,
        flow: index,
        outbound,
        routerMac,
        localIp,
        remoteIp,
        remotePort,
        appBytes: payload + (icmp === 1 || icmp === 58 ? 8 : 0),
        frameBytes: frameLength(spec),
      });
    }
    flows.push({ start: packets[0]!.time, packets });
  }
  const packets = flows.flatMap((flow) => flow.packets).sort((a, b) => a.time - b.time);
  return { routers, flows, packets };
}

/** Writes the packets as a pcap and runs the real `argus` on it (`-m -A`, plus `extra` flags). */
export function captureToArgus(
  packets: readonly PacketSpec[],
  pcapPath: string,
  argusPath: string,
  extra: string[] = [],
): void {
  writeFileSync(pcapPath, buildPcap([...packets].sort((a, b) => a.time - b.time)));
  const result = spawnSync('argus', ['-r', pcapPath, '-w', argusPath, '-m', '-A', ...extra], {
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`argus failed (${result.status}): ${result.stderr}`);
}

/** Adds one packet to `totals` with ra-sum's byte rule (app bytes + overhead, or whole frames). */
export function addPacket(totals: Totals, packet: ScenarioPacket, overhead: number | 'frame'): void {
  const bytes = BigInt(overhead === 'frame' ? packet.frameBytes : packet.appBytes + overhead);
  if (packet.outbound) {
    totals.outPackets++;
    totals.outBytes += bytes;
  } else {
    totals.inPackets++;
    totals.inBytes += bytes;
  }
}

/** Ground truth per key (e.g. router MAC, local IP or class) for the packets `select` keeps. */
export function truthBy(
  packets: Iterable<ScenarioPacket>,
  key: (packet: ScenarioPacket) => string | undefined,
  overhead: number | 'frame' = 42,
): Map<string, Totals> {
  const out = new Map<string, Totals>();
  for (const packet of packets) {
    const name = key(packet);
    if (name === undefined) continue;
    let totals = out.get(name);
    if (!totals) out.set(name, (totals = zeroTotals()));
    addPacket(totals, packet, overhead);
  }
  return out;
}
