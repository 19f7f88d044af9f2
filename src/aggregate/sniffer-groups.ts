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
import { addressOrderKey, compareOrderKeys, formatIPv4, formatIPv6 } from '../model/ip.js';
import type { SnifferEntry } from '../sources/sniffer/status.js';

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
   * The group's entries in the original's A order: numeric within each /24; a domain group holds its
   * /24s in name order (its first member decides ties in the report order, as A->[0] does).
   */
  members: SnifferEntry[];
  /** Order key (see `addressOrderKey`) of the first member. */
  firstKey: number | bigint;
  /** For a domain group: the /24 groups it is made of. */
  parts?: SnifferGroup[];
}

export interface SnifferGrouping {
  groups: SnifferGroup[];
  /** Σ R over all groups (per hour). */
  ratePerHour: number;
  /** Σ W over all groups (per hour). */
  bytesPerHour: number;
}

export const ipsOf = (group: SnifferGroup): string[] => group.members.map((member) => member.ip);

/** Entry indices in ascending numeric address order. */
function numericOrder(entries: readonly SnifferEntry[], keys: Array<number | bigint>): ArrayLike<number> {
  const count = entries.length;
  const INDEX_SPACE = 2 ** 21;
  if (count < INDEX_SPACE && keys.every((key) => typeof key === 'number')) {
    // IPv4 only: pack key and index into one exact double and let the typed array sort natively.
    const packed = new Float64Array(count);
    for (let i = 0; i < count; i++) packed[i] = (keys[i] as number) * INDEX_SPACE + i;
    packed.sort();
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = packed[i]! % INDEX_SPACE;
    return order;
  }
  return Array.from({ length: count }, (_, i) => i).sort((a, b) => compareOrderKeys(keys[a]!, keys[b]!));
}

const V4_LIMIT = 0x100000000n;

/** The /24 (IPv4) or /120 (IPv6) network of an order key. */
function networkOf(key: number | bigint): number | bigint {
  return typeof key === 'number' ? key - (key % 256) : ((key - V4_LIMIT) >> 8n) << 8n;
}

function networkText(key: number | bigint): string {
  return typeof key === 'number' ? `${formatIPv4(key)}/24` : `${formatIPv6(key)}/120`;
}

/** Groups by /24 (IPv4) or /120 (IPv6), as `newcidr24` bounds addresses; groups in address order. */
export function groupByCidr24(entries: readonly SnifferEntry[]): SnifferGrouping {
  const keys = entries.map((entry) => {
    const key = addressOrderKey(entry.ip);
    if (key === undefined) throw new TypeError(`not an IP address: ${entry.ip}`);
    return key;
  });
  const order = numericOrder(entries, keys);
  const groups: SnifferGroup[] = [];
  let current: SnifferGroup | undefined;
  let currentNetwork: number | bigint | undefined;
  let ratePerHour = 0;
  let bytesPerHour = 0;
  for (let i = 0; i < order.length; i++) {
    const index = order[i]!;
    const entry = entries[index]!;
    const network = networkOf(keys[index]!);
    if (current === undefined || network !== currentNetwork) {
      current = {
        key: networkText(network),
        ratePerHour: entry.ratePerHour,
        bytesPerHour: entry.bytesPerHour,
        lastUpdate: entry.lastUpdate,
        members: [entry],
        firstKey: keys[index]!,
      };
      currentNetwork = network;
      groups.push(current);
    } else {
      current.ratePerHour += entry.ratePerHour;
      current.bytesPerHour += entry.bytesPerHour;
      if (entry.lastUpdate > current.lastUpdate) current.lastUpdate = entry.lastUpdate;
      current.members.push(entry);
    }
    ratePerHour += entry.ratePerHour;
    bytesPerHour += entry.bytesPerHour;
  }
  return { groups, ratePerHour, bytesPerHour };
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
export function groupByDomain(byCidr24: SnifferGrouping): SnifferGrouping {
  // Stable sort: ties (equal first names) keep address order, where the original used Perl's hash order.
  const ordered = byCidr24.groups
    .map((group) => ({ group, name: asciiLower(group.members[0]!.names[0] ?? '') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const merged = new Map<string, SnifferGroup>();
  const groups: SnifferGroup[] = [];
  let ratePerHour = 0;
  let bytesPerHour = 0;
  for (const { group, name } of ordered) {
    const key = name === '' ? undefined : subdomainOf(name);
    const existing = key === undefined ? undefined : merged.get(key);
    if (existing === undefined) {
      const created: SnifferGroup = { ...group, key: key ?? '', parts: [group] };
      if (key !== undefined) merged.set(key, created);
      groups.push(created);
    } else {
      if (group.lastUpdate > existing.lastUpdate) existing.lastUpdate = group.lastUpdate;
      existing.ratePerHour += group.ratePerHour;
      existing.bytesPerHour += group.bytesPerHour;
      existing.parts!.push(group);
    }
    ratePerHour += group.ratePerHour;
    bytesPerHour += group.bytesPerHour;
  }
  // A = the parts' members in name order, joined once per group rather than pushed one by one.
  for (const group of groups) {
    if (group.parts!.length > 1) group.members = group.parts!.flatMap((part) => part.members);
  }
  return { groups, ratePerHour, bytesPerHour };
}

/**
 * A group's entries in ascending address order, as the report lists them. A domain group's /24 parts
 * are disjoint address ranges, each already in order, so ordering the parts orders the whole.
 */
export function listedMembers(group: SnifferGroup): SnifferEntry[] {
  if (group.parts === undefined || group.parts.length === 1) return group.members;
  return [...group.parts]
    .sort((a, b) => compareOrderKeys(a.firstKey, b.firstKey))
    .flatMap((part) => part.members);
}

/**
 * The report's order: by whole bytes per second (`int(W/3600)`) descending, then by the group's first
 * address ascending.
 */
export function orderByBandwidth(groups: readonly SnifferGroup[]): SnifferGroup[] {
  const keyed = groups.map((group) => ({ group, perSecond: Math.trunc(group.bytesPerHour / 3600) }));
  keyed.sort((a, b) => b.perSecond - a.perSecond || compareOrderKeys(a.group.firstKey, b.group.firstKey));
  return keyed.map(({ group }) => group);
}
