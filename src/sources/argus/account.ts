/**
 * ra-sum's accounting: the traffic of one Ethernet MAC (a customer's router) from argus flow records, in
 * and out, in total, per address behind the MAC and per policy class.
 *
 * A flow whose source MAC is the customer's sent its source-side counters out and received its
 * destination-side counters; a flow whose destination MAC is the customer's the other way round. Bytes are
 * argus' app (L4 payload) bytes plus `overhead` bytes per packet (ra-sum `-p`, default 42), or the whole
 * frames argus counted when `overhead` is 'frame'.
 */
import { formatIPv4, formatIPv6 } from '../../model/ip.js';
import { formatMac } from '../../model/mac.js';
import { NO_MAC, type ArgusFlow } from './flow.js';
import type { Policy } from './policy.js';
import { claim, emptyMacState, markCounted, type AccountingState, type MacState } from './state.js';

export const DEFAULT_OVERHEAD = 42;

export type StraddlingPolicy = 'skip' | 'prorate';
export const STRADDLING_POLICIES: readonly StraddlingPolicy[] = ['skip', 'prorate'];

export interface Totals {
  inPackets: bigint;
  inBytes: bigint;
  outPackets: bigint;
  outBytes: bigint;
}

export function zeroTotals(): Totals {
  return { inPackets: 0n, inBytes: 0n, outPackets: 0n, outBytes: 0n };
}

/** Where the records of a run went. */
export interface AccountingCounters {
  /** Flow records of the MAC. */
  matched: number;
  /** Counted in full. */
  counted: number;
  /** Skipped: the state says they were counted before. */
  alreadyCounted: number;
  /** Straddling an already counted interval: skipped (default), or counted pro rata with `prorate`. */
  straddling: number;
  /** Skipped: they end before the state's horizon (older than the timeout). */
  stale: number;
}

export interface AccountingOptions {
  mac: number;
  /** Bytes added per packet to app bytes, or 'frame' for argus' whole-frame byte counts. */
  overhead: number | 'frame';
  policy: Policy;
  /** Without a state every record counts (no idempotence). */
  state?: AccountingState;
  /**
   * Records that straddle an already counted interval: 'skip' (default) never counts a byte twice but may
   * miss the uncounted part; 'prorate' counts the uncovered share of the record's duration (an estimate).
   */
  straddling?: StraddlingPolicy;
}

const ICMP = new Set([1, 58]);

export class MacAccountant {
  readonly total: Totals = zeroTotals();
  readonly byAddress = new Map<string, Totals>();
  readonly byClass = new Map<number, Totals>();
  readonly counters: AccountingCounters = {
    matched: 0,
    counted: 0,
    alreadyCounted: 0,
    straddling: 0,
    stale: 0,
  };
  firstUs = Infinity;
  lastUs = -Infinity;
  private readonly macState: MacState | undefined;
  /** Flow → end of the record this run counted last for it (see `markCounted`'s `continuesAfter`). */
  private readonly countedThisRun = new Map<string, number>();

  constructor(private readonly options: AccountingOptions) {
    if (options.state) {
      const key = formatMac(options.mac);
      let macState = options.state.macs.get(key);
      if (!macState) options.state.macs.set(key, (macState = emptyMacState()));
      this.macState = macState;
    }
  }

  /** Accounts one flow record (the readers' callback). */
  add(flow: ArgusFlow): void {
    const mac = this.options.mac;
    const outbound = flow.smac === mac;
    if (!outbound && flow.dmac !== mac) return;
    if (mac === NO_MAC) return;
    this.counters.matched++;
    const src = flow.family === 4 ? formatIPv4(flow.srcV4) : formatIPv6(flow.srcV6);
    const dst = flow.family === 4 ? formatIPv4(flow.dstV4) : formatIPv6(flow.dstV6);
    let share = 1;
    if (this.macState) {
      const key = flowKey(flow, src, dst);
      const coverage = claim(this.macState, key, flow.startUs, flow.endUs, this.countedThisRun.get(key));
      if (coverage.kind === 'stale') return void this.counters.stale++;
      if (coverage.kind === 'covered') return void this.counters.alreadyCounted++;
      if (coverage.kind === 'partial') {
        this.counters.straddling++;
        if (this.options.straddling !== 'prorate') return;
        markCounted(this.macState, key, flow.startUs, flow.endUs);
        share = coverage.share;
      } else {
        this.counters.counted++;
        this.countedThisRun.set(key, flow.endUs);
      }
    } else this.counters.counted++;

    const overhead = this.options.overhead;
    const srcBytes = overhead === 'frame' ? flow.sbytes : flow.sappbytes + flow.spkts * overhead;
    const dstBytes = overhead === 'frame' ? flow.dbytes : flow.dappbytes + flow.dpkts * overhead;
    let outPackets = BigInt(outbound ? flow.spkts : flow.dpkts);
    let outBytes = BigInt(outbound ? srcBytes : dstBytes);
    let inPackets = BigInt(outbound ? flow.dpkts : flow.spkts);
    let inBytes = BigInt(outbound ? dstBytes : srcBytes);
    if (share < 1) {
      // Pro rata in millionths, truncated: a partly counted record never adds more than its share.
      const millionths = BigInt(Math.floor(share * 1e6));
      outPackets = (outPackets * millionths) / 1_000_000n;
      outBytes = (outBytes * millionths) / 1_000_000n;
      inPackets = (inPackets * millionths) / 1_000_000n;
      inBytes = (inBytes * millionths) / 1_000_000n;
    }
    const local = outbound ? src : dst;
    const remotePort = ICMP.has(flow.proto) ? 0 : outbound ? flow.dport : flow.sport;
    const classId =
      flow.family === 4
        ? this.options.policy.classifyV4(outbound ? flow.dstV4 : flow.srcV4, flow.proto, remotePort)
        : this.options.policy.classifyV6(outbound ? flow.dstV6 : flow.srcV6, flow.proto, remotePort);

    for (const totals of [this.total, entry(this.byAddress, local), entry(this.byClass, classId)]) {
      totals.inPackets += inPackets;
      totals.inBytes += inBytes;
      totals.outPackets += outPackets;
      totals.outBytes += outBytes;
    }
    if (flow.startUs < this.firstUs) this.firstUs = flow.startUs;
    if (flow.endUs > this.lastUs) this.lastUs = flow.endUs;
    if (this.macState) {
      const seen = this.macState.addresses.get(local);
      if (!seen) this.macState.addresses.set(local, [flow.startUs, flow.endUs]);
      else {
        if (flow.startUs < seen[0]) seen[0] = flow.startUs;
        if (flow.endUs > seen[1]) seen[1] = flow.endUs;
      }
    }
  }
}

function entry<K>(map: Map<K, Totals>, key: K): Totals {
  let totals = map.get(key);
  if (!totals) map.set(key, (totals = zeroTotals()));
  return totals;
}

/**
 * The identity of a flow across argus runs: protocol and both endpoints in canonical order (two runs may
 * guess a mid-stream TCP flow's direction differently).
 */
export function flowKey(flow: ArgusFlow, src: string, dst: string): string {
  const a = `${src}/${flow.sport}`;
  const b = `${dst}/${flow.dport}`;
  return a <= b ? `${flow.proto} ${a} ${b}` : `${flow.proto} ${b} ${a}`;
}
