/**
 * The two groupings of the Sniffer report (Report.pm `by_cidr24`, `by_name`), with the original's
 * semantics and its defects fixed:
 * - every IP appears in exactly one group (the original drops the last /24 when it holds two or more IPs);
 * - groups with the same subdomain merge even when they are not adjacent in name order (the original lets
 *   the later one overwrite the earlier, so its IPs vanish from the listing);
 * - totals are the sums of what is listed.
 *
 * Addresses are walked in numeric order. The original walks them in string order; each /24 is a
 * contiguous run in both orders, and the counters a daemon writes are integers, so every sum is the same
 * (only non-integer rates, which no daemon writes, could differ in the last bit).
 */
import { compareOrderKeys, formatIPv4, formatIPv6 } from '../model/ip.js';
import type { SnifferTable } from '../sources/sniffer/table.js';

/** One group as values (for JSON, CSV, HTML and tests; the text report reads the columns). */
export interface SnifferGroup {
  /** `198.51.100.0/24` for the /24 grouping; the subdomain (`example.com`) or '' for the domain grouping. */
  key: string;
  /** Σ R: packets per hour. */
  ratePerHour: number;
  /** Σ W: bytes per hour. */
  bytesPerHour: number;
  /** max E: the last contact. */
  lastUpdate: number;
  /**
   * The group's rows in the original's A order: numeric within each /24; a domain group holds its /24s in
   * name order (its first member decides ties in the report order, as A->[0] does).
   */
  members: Uint32Array;
  /** The group's rows in ascending address order, as the report lists them. */
  listing: Uint32Array;
}

/**
 * The /24 runs of a table's address order: run r holds the rows order[runStart[r]] … order[runStart[r+1]-1].
 * Both groupings are made of runs: a /24 group is one run, a domain group one or more.
 */
export interface Cidr24Runs {
  order: Uint32Array;
  runStart: Uint32Array;
  count: number;
}

/**
 * Groups as columns, indexed 0 … size-1: a million-IP file has a quarter of a million /24 groups, and
 * objects for them would cost more to collect than to compute.
 */
export class SnifferGrouping {
  constructor(
    readonly table: SnifferTable,
    readonly runs: Cidr24Runs,
    readonly size: number,
    /** Group g is made of the runs at partStart[g] … partStart[g+1]-1 of the part lists. */
    readonly partStart: Uint32Array,
    /** Each group's runs in A order (name order for a domain group). */
    readonly nameOrderParts: Uint32Array,
    /** Each group's runs in ascending address order (run indices ascend with the address). */
    readonly addressOrderParts: Uint32Array,
    /** Σ R of each group. */
    readonly ratePerHour: Float64Array,
    /** Σ W of each group. */
    readonly bytesPerHour: Float64Array,
    /** max E of each group. */
    readonly lastUpdate: Float64Array,
    readonly memberCount: Uint32Array,
    /** Σ R and Σ W of everything. */
    readonly totalRatePerHour: number,
    readonly totalBytesPerHour: number,
    /** The domain grouping's keys ('' for a group without names); the /24 keys are made from addresses. */
    readonly domainKeys?: readonly string[],
  ) {}

  /** The first row of group g in A order (A->[0]). */
  firstRow(g: number): number {
    return this.runs.order[this.runs.runStart[this.nameOrderParts[this.partStart[g]!]!]!]!;
  }

  key(g: number): string {
    return this.domainKeys?.[g] ?? networkText(networkOf(this.table.orderKey(this.firstRow(g))));
  }

  members(g: number): Uint32Array {
    return this.#rowsOf(this.nameOrderParts, g);
  }

  listing(g: number): Uint32Array {
    return this.#rowsOf(this.addressOrderParts, g);
  }

  group(g: number): SnifferGroup {
    return {
      key: this.key(g),
      ratePerHour: this.ratePerHour[g]!,
      bytesPerHour: this.bytesPerHour[g]!,
      lastUpdate: this.lastUpdate[g]!,
      members: this.members(g),
      listing: this.listing(g),
    };
  }

  groups(): SnifferGroup[] {
    return Array.from({ length: this.size }, (_, g) => this.group(g));
  }

  #rowsOf(parts: Uint32Array, g: number): Uint32Array {
    const { order, runStart } = this.runs;
    const rows = new Uint32Array(this.memberCount[g]!);
    let at = 0;
    for (let part = this.partStart[g]!; part < this.partStart[g + 1]!; part++) {
      const run = parts[part]!;
      rows.set(order.subarray(runStart[run]!, runStart[run + 1]!), at);
      at += runStart[run + 1]! - runStart[run]!;
    }
    return rows;
  }
}

/** The addresses of a group's members, in A order. */
export const ipsOf = (grouping: SnifferGrouping, g: number): string[] =>
  Array.from(grouping.members(g), (row) => grouping.table.ip(row));

const V4_LIMIT = 0x100000000n;

/** The /24 (IPv4) or /120 (IPv6) network of an order key. */
function networkOf(key: number | bigint): number | bigint {
  return typeof key === 'number' ? key - (key % 256) : ((key - V4_LIMIT) >> 8n) << 8n;
}

function networkText(key: number | bigint): string {
  return typeof key === 'number' ? `${formatIPv4(key)}/24` : `${formatIPv6(key)}/120`;
}

/** 0, 1, … n-1. */
function identity(n: number): Uint32Array {
  const values = new Uint32Array(n);
  for (let i = 0; i < n; i++) values[i] = i;
  return values;
}

/** Splits the table's address order into /24 (IPv4) or /120 (IPv6) runs, as `newcidr24` bounds addresses. */
function cidr24Runs(table: SnifferTable): Cidr24Runs {
  const order = table.addressOrder();
  const starts = new Uint32Array(order.length + 1);
  let count = 0;
  let network: number | bigint | undefined;
  if (table.v6Keys.size === 0) {
    // IPv4 only: the /24 is the key without its last byte, plain arithmetic on doubles.
    const keys = table.v4Keys;
    let current = -1;
    for (let i = 0; i < order.length; i++) {
      const key = keys[order[i]!]!;
      const next = key - (key % 256);
      if (next !== current) starts[count++] = i;
      current = next;
    }
  } else {
    for (let i = 0; i < order.length; i++) {
      const next = networkOf(table.orderKey(order[i]!));
      if (next !== network) starts[count++] = i;
      network = next;
    }
  }
  starts[count] = order.length;
  return { order, runStart: starts.slice(0, count + 1), count };
}

/** Groups by /24 (IPv4) or /120 (IPv6); groups in address order. */
export function groupByCidr24(table: SnifferTable): SnifferGrouping {
  const runs = cidr24Runs(table);
  const { order, runStart, count } = runs;
  const { ratePerHour: rates, bytesPerHour: volumes, lastUpdate: contacts } = table;
  const groupRates = new Float64Array(count);
  const groupVolumes = new Float64Array(count);
  const groupContacts = new Float64Array(count);
  const memberCount = new Uint32Array(count);
  let ratePerHour = 0;
  let bytesPerHour = 0;
  for (let run = 0; run < count; run++) {
    let rate = 0;
    let volume = 0;
    let contact = contacts[order[runStart[run]!]!]!;
    for (let i = runStart[run]!; i < runStart[run + 1]!; i++) {
      const row = order[i]!;
      rate += rates[row]!;
      volume += volumes[row]!;
      if (contacts[row]! > contact) contact = contacts[row]!;
      // The totals add entry by entry, as the original's report loop does.
      ratePerHour += rates[row]!;
      bytesPerHour += volumes[row]!;
    }
    groupRates[run] = rate;
    groupVolumes[run] = volume;
    groupContacts[run] = contact;
    memberCount[run] = runStart[run + 1]! - runStart[run]!;
  }
  const parts = identity(count);
  return new SnifferGrouping(
    table,
    runs,
    count,
    identity(count + 1),
    parts,
    parts,
    groupRates,
    groupVolumes,
    groupContacts,
    memberCount,
    ratePerHour,
    bytesPerHour,
  );
}

/** Lower-cases ASCII only, as Perl's `lc` does on byte strings. */
function asciiLower(text: string): string {
  return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (run) => run.toLowerCase()) : text;
}

// by_name reverses the name and matches `^[\w-]{2}\.[\w-]{3}\.[\w-]+` ('cc.com.name'), else
// `^[\w-]+\.[\w-]+` ('ext.name'), on the reversed text. The same patterns anchored at the end of the name
// the right way round match the same labels (leftmost start = longest run), without reversing strings.
const COUNTRY_DOMAIN = /[\w-]+\.[\w-]{3}\.[\w-]{2}$/; // name.(net|com|org).cc
const PLAIN_DOMAIN = /[\w-]+\.[\w-]+$/; // name.ext

/**
 * The subdomain key of a host name the way by_name derives it (`example.com`, `example.com.au`). A name
 * matching neither pattern is its own key.
 */
export function subdomainOf(hostName: string): string {
  const name = asciiLower(hostName);
  const match = COUNTRY_DOMAIN.exec(name) ?? PLAIN_DOMAIN.exec(name);
  return match === null ? name : match[0];
}

/**
 * Groups the /24 groups further by the subdomain of the first host name of each group's first IP.
 * Groups whose first IP has no name stay on their own (the original gives each a unique key).
 */
export function groupByDomain(table: SnifferTable, byCidr24: SnifferGrouping): SnifferGrouping {
  const runs = byCidr24.runs;
  const firstNames = Array.from({ length: runs.count }, (_, run) => {
    const row = runs.order[runs.runStart[run]!]!;
    return table.nameCount(row) === 0 ? '' : asciiLower(table.name(row, 0));
  });
  // Stable sort: ties (equal first names) keep address order, where the original used Perl's hash order.
  const byName = identity(runs.count).sort((a, b) => {
    const nameA = firstNames[a]!;
    const nameB = firstNames[b]!;
    return nameA < nameB ? -1 : nameA > nameB ? 1 : a - b;
  });

  // Each run joins the group of its subdomain, made when the subdomain is first met in name order.
  const groupOfRun = new Uint32Array(runs.count);
  const groupBySubdomain = new Map<string, number>();
  const keys: string[] = [];
  // Runs sorted by name: equal names are neighbours, so the subdomain of the previous name is often it.
  let lastName = '';
  let lastKey: string | undefined;
  for (const run of byName) {
    const name = firstNames[run]!;
    if (name !== lastName) lastKey = name === '' ? undefined : subdomainOf(name);
    lastName = name;
    const key = lastKey;
    let g = key === undefined ? undefined : groupBySubdomain.get(key);
    if (g === undefined) {
      g = keys.length;
      keys.push(key ?? '');
      if (key !== undefined) groupBySubdomain.set(key, g);
    }
    groupOfRun[run] = g;
  }

  const size = keys.length;
  const partStart = new Uint32Array(size + 1);
  for (let run = 0; run < runs.count; run++) partStart[groupOfRun[run]! + 1]!++;
  for (let g = 0; g < size; g++) partStart[g + 1]! += partStart[g]!;
  const nameOrderParts = fillParts(byName, groupOfRun, partStart);
  const addressOrderParts = fillParts(identity(runs.count), groupOfRun, partStart);

  const ratePerHour = new Float64Array(size);
  const bytesPerHour = new Float64Array(size);
  const lastUpdate = new Float64Array(size);
  const memberCount = new Uint32Array(size);
  let totalRate = 0;
  let totalVolume = 0;
  // Sums in name order, as the original adds the /24 groups into the domain groups.
  for (const run of byName) {
    const g = groupOfRun[run]!;
    ratePerHour[g]! += byCidr24.ratePerHour[run]!;
    bytesPerHour[g]! += byCidr24.bytesPerHour[run]!;
    // Epochs are never negative (the reader refuses them), so the max can start at 0.
    if (byCidr24.lastUpdate[run]! > lastUpdate[g]!) lastUpdate[g] = byCidr24.lastUpdate[run]!;
    memberCount[g]! += byCidr24.memberCount[run]!;
    totalRate += byCidr24.ratePerHour[run]!;
    totalVolume += byCidr24.bytesPerHour[run]!;
  }
  return new SnifferGrouping(
    table,
    runs,
    size,
    partStart,
    nameOrderParts,
    addressOrderParts,
    ratePerHour,
    bytesPerHour,
    lastUpdate,
    memberCount,
    totalRate,
    totalVolume,
    keys,
  );
}

/** Places each run (in the order given) in its group's slice of a part list. */
function fillParts(runsInOrder: Uint32Array, groupOfRun: Uint32Array, partStart: Uint32Array): Uint32Array {
  const parts = new Uint32Array(runsInOrder.length);
  const next = partStart.slice(0, partStart.length - 1);
  for (const run of runsInOrder) parts[next[groupOfRun[run]!]!++] = run;
  return parts;
}

/**
 * The report's order of group indices: by whole bytes per second (`int(W/3600)`) descending, then by the
 * group's first address ascending.
 */
export function orderByBandwidth(grouping: SnifferGrouping): Uint32Array {
  const perSecond = grouping.bytesPerHour.map((volume) => Math.trunc(volume / 3600));
  const { table } = grouping;
  return identity(grouping.size).sort(
    (a, b) =>
      perSecond[b]! - perSecond[a]! ||
      compareOrderKeys(table.orderKey(grouping.firstRow(a)), table.orderKey(grouping.firstRow(b))),
  );
}
