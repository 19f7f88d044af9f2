/**
 * Group keys of the views (`top --by`, `series --by`): which record fields a key reads and how a field's
 * value becomes the key (an address becomes its CIDR prefix, a reverse-DNS name its registrable domain).
 *
 * Keys that name a pair of fields (host = src or dst, mac = srcMac or dstMac, port = sport or dport) count a
 * record once under each side, as nfdump's `-s ip` does: a host's total is all traffic it sent or received.
 */
import { createRequire } from 'node:module';
import type * as Tldts from 'tldts';
import { UsageError } from '../model/errors.js';
import { formatPrefix, parseIp, prefixOf } from '../model/ip.js';

let tldtsModule: typeof Tldts | undefined;
/** tldts (the public suffix list), loaded when a domain is first asked for, not by every command. */
function tldts(): typeof Tldts {
  tldtsModule ??= createRequire(import.meta.url)('tldts') as typeof Tldts;
  return tldtsModule;
}

/** The record fields a key can read, by their ledger column names. */
export type KeyField =
  | 'src'
  | 'dst'
  | 'sport'
  | 'dport'
  | 'proto'
  | 'src_mac'
  | 'dst_mac'
  | 'name'
  | 'sensor'
  | 'src_name'
  | 'dst_name';

export type GroupKind =
  'host' | 'src' | 'dst' | 'cidr' | 'domain' | 'mac' | 'chain' | 'port' | 'proto' | 'sensor';

export interface GroupBy {
  kind: GroupKind;
  /** The text the user gave (`cidr/24`), used as the key column's title. */
  label: string;
  /** Record fields read; a record contributes once per field that holds a value. */
  fields: readonly KeyField[];
  /** Prefix lengths for `cidr` keys. */
  prefixV4?: number;
  prefixV6?: number;
}

const FIELDS: Record<Exclude<GroupKind, 'cidr'>, readonly KeyField[]> = {
  host: ['src', 'dst'],
  src: ['src'],
  dst: ['dst'],
  domain: ['src_name', 'dst_name'],
  mac: ['src_mac', 'dst_mac'],
  chain: ['name'],
  port: ['sport', 'dport'],
  proto: ['proto'],
  sensor: ['sensor'],
};

export const GROUP_KEYS_HELP = 'host|src|dst|cidr24|cidr/N[,M]|domain|mac|chain|port|proto|sensor';

/**
 * Parses a `--by` value. `cidr/N` applies N bits to IPv4 (capped at 32) and to IPv6; `cidr/N,M` gives IPv4 N
 * and IPv6 M bits. `cidr24` is the Sniffer report's grouping: /24 for IPv4 and /120 for IPv6 (the low 8 bits,
 * as Net::Connection::Sniffer::Util's newcidr24 does).
 */
export function parseGroupBy(text: string): GroupBy {
  const label = text.trim();
  const lower = label.toLowerCase();
  if (lower === 'cidr24') return { kind: 'cidr', label, fields: FIELDS.host, prefixV4: 24, prefixV6: 120 };
  const cidr = /^cidr\/(\d{1,3})(?:,(\d{1,3}))?$/.exec(lower);
  if (cidr !== null) {
    const v4 = Number(cidr[1]);
    const v6 = cidr[2] === undefined ? v4 : Number(cidr[2]);
    if (v4 > 128 || v6 > 128 || (cidr[2] !== undefined && v4 > 32)) {
      throw new UsageError(`invalid --by '${text}': prefix lengths are 0..32 for IPv4 and 0..128 for IPv6`);
    }
    return { kind: 'cidr', label, fields: FIELDS.host, prefixV4: Math.min(v4, 32), prefixV6: v6 };
  }
  if (lower in FIELDS) {
    const kind = lower as Exclude<GroupKind, 'cidr'>;
    return { kind, label: kind, fields: FIELDS[kind] };
  }
  throw new UsageError(`invalid --by '${text}': expected ${GROUP_KEYS_HELP}`);
}

/** True when the stored field value is the key itself (no mapping), so a store may sort and limit for us. */
export function isIdentityKey(groupBy: GroupBy): boolean {
  return groupBy.kind !== 'cidr' && groupBy.kind !== 'domain';
}

/**
 * Maps one stored field value to its group key, or undefined when the value has no key (an unparsable
 * address under `cidr`, an unresolved or NXDOMAIN name under `domain`).
 */
export function keyMapper(groupBy: GroupBy): (value: string) => string | undefined {
  if (groupBy.kind === 'cidr') {
    const v4 = groupBy.prefixV4 ?? 32;
    const v6 = groupBy.prefixV6 ?? 128;
    return (value) => {
      const address = parseIp(value);
      if (address === undefined) return undefined;
      return formatPrefix(prefixOf(address, address.family === 4 ? v4 : v6));
    };
  }
  if (groupBy.kind === 'domain') return registrableDomain;
  return (value) => value;
}

/**
 * The registrable domain (public suffix + one label, ICANN section of the public suffix list) of a reverse
 * DNS name. Sniffer stores NXDOMAIN answers as `:<SOA mname>`; those and bare addresses have no domain.
 */
export function registrableDomain(name: string): string | undefined {
  if (name === '' || name.startsWith(':')) return undefined;
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return tldts().getDomain(trimmed.toLowerCase()) ?? undefined;
}
