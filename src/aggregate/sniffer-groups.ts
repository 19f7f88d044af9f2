/**
 * The two groupings of the Sniffer report (Report.pm `by_cidr24`, `by_name`), with the original's
 * semantics and its defects fixed:
 * - every IP appears in exactly one group (the original drops the last /24 when it holds two or more IPs);
 * - groups with the same subdomain merge even when they are not adjacent in name order (the original lets
 *   the later one overwrite the earlier, so its IPs vanish from the listing);
 * - totals are the sums of what is listed.
 * Sums are taken in the original's order (IP keys in string order), so floating-point results match it.
 */
import { compareIp, parseIp, prefixOf, formatPrefix, type IpAddress } from '../model/ip.js';
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
  /** Addresses in the group, in the original's A order (numeric within each /24). */
  ips: string[];
}

export interface SnifferGrouping {
  groups: SnifferGroup[];
  /** Σ R over all groups (per hour). */
  ratePerHour: number;
  /** Σ W over all groups (per hour). */
  bytesPerHour: number;
}

interface Keyed {
  entry: SnifferEntry;
  address: IpAddress;
}

const byAddress = (a: Keyed, b: Keyed) => compareIp(a.address, b.address);

/** Perl `sort keys`: plain string order of the keys (byte order for latin1 text). */
const byKeyText = (a: Keyed, b: Keyed) => (a.entry.ip < b.entry.ip ? -1 : a.entry.ip > b.entry.ip ? 1 : 0);

/**
 * Groups by /24 (IPv4) or /120 (IPv6), as `newcidr24` bounds addresses. Groups come in the order their
 * first key appears in string order, as the original numbers them.
 */
export function groupByCidr24(entries: readonly SnifferEntry[]): SnifferGrouping {
  const keyed: Keyed[] = entries.map((entry) => {
    const address = parseIp(entry.ip);
    if (address === undefined) throw new TypeError(`not an IP address: ${entry.ip}`);
    return { entry, address };
  });
  keyed.sort(byKeyText);
  const members = new Map<string, Keyed[]>();
  const groups = new Map<string, SnifferGroup>();
  for (const item of keyed) {
    const prefix = formatPrefix(prefixOf(item.address, item.address.family === 4 ? 24 : 120));
    const group = groups.get(prefix);
    if (group === undefined) {
      groups.set(prefix, {
        key: prefix,
        ratePerHour: item.entry.ratePerHour,
        bytesPerHour: item.entry.bytesPerHour,
        lastUpdate: item.entry.lastUpdate,
        ips: [],
      });
      members.set(prefix, [item]);
    } else {
      group.ratePerHour += item.entry.ratePerHour;
      group.bytesPerHour += item.entry.bytesPerHour;
      if (item.entry.lastUpdate > group.lastUpdate) group.lastUpdate = item.entry.lastUpdate;
      members.get(prefix)!.push(item);
    }
  }
  let ratePerHour = 0;
  let bytesPerHour = 0;
  for (const [prefix, group] of groups) {
    group.ips = members
      .get(prefix)!
      .sort(byAddress)
      .map((item) => item.entry.ip);
    ratePerHour += group.ratePerHour;
    bytesPerHour += group.bytesPerHour;
  }
  return { groups: [...groups.values()], ratePerHour, bytesPerHour };
}

/** Lower-cases ASCII only, as Perl's `lc` does on byte strings. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

const COUNTRY_DOMAIN = /^[\w-]{2}\.[\w-]{3}\.[\w-]+/; // 'name.(net|com|org).cc' reversed
const PLAIN_DOMAIN = /^[\w-]+\.[\w-]+/; // 'name.ext' reversed

/**
 * The subdomain key of a host name the way by_name derives it: reverse the lower-cased name, take
 * `cc.com.name` or `ext.name` from its start, and turn it back the right way round (`example.com`).
 * A name matching neither pattern is its own key.
 */
export function subdomainOf(hostName: string): string {
  const reversed = [...asciiLower(hostName)].reverse().join('');
  const match = COUNTRY_DOMAIN.exec(reversed) ?? PLAIN_DOMAIN.exec(reversed);
  const key = match === null ? reversed : match[0];
  return [...key].reverse().join('');
}

/**
 * Groups the /24 groups further by the subdomain of the first host name of each group's first IP.
 * Groups whose first IP has no name stay on their own (the original gives each a unique key).
 */
export function groupByDomain(entries: readonly SnifferEntry[], byCidr24: SnifferGrouping): SnifferGrouping {
  const namesByIp = new Map<string, string[]>();
  for (const entry of entries) namesByIp.set(entry.ip, entry.names);
  const firstName = (group: SnifferGroup) => asciiLower(namesByIp.get(group.ips[0]!)?.[0] ?? '');
  // Stable sort: ties (equal first names) keep /24 order, where the original used Perl's hash order.
  const ordered = byCidr24.groups
    .map((group) => ({ group, name: firstName(group) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const merged = new Map<string, SnifferGroup>();
  let ratePerHour = 0;
  let bytesPerHour = 0;
  ordered.forEach(({ group, name }, index) => {
    const key = name === '' ? `\0unnamed ${index}` : subdomainOf(name);
    const existing = merged.get(key);
    if (existing === undefined) {
      merged.set(key, { ...group, key: name === '' ? '' : key, ips: [...group.ips] });
    } else {
      if (group.lastUpdate > existing.lastUpdate) existing.lastUpdate = group.lastUpdate;
      existing.ratePerHour += group.ratePerHour;
      existing.bytesPerHour += group.bytesPerHour;
      existing.ips.push(...group.ips);
    }
    ratePerHour += group.ratePerHour;
    bytesPerHour += group.bytesPerHour;
  });
  return { groups: [...merged.values()], ratePerHour, bytesPerHour };
}

/**
 * The report's order: by whole bytes per second (`int(W/3600)`) descending, then by the group's first
 * address ascending.
 */
export function orderByBandwidth(groups: readonly SnifferGroup[]): SnifferGroup[] {
  const keyed = groups.map((group) => ({
    group,
    perSecond: Math.trunc(group.bytesPerHour / 3600),
    first: parseIp(group.ips[0]!)!,
  }));
  keyed.sort((a, b) => b.perSecond - a.perSecond || compareIp(a.first, b.first));
  return keyed.map(({ group }) => group);
}
