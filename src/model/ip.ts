/**
 * IPv4 and IPv6 address values: parse, format (RFC 5952 for v6), numeric order and prefix containment.
 *
 * Addresses are held as a family plus a bigint in the family's width (32 or 128 bits). Ordering puts IPv4
 * before IPv6, which equals ordering IPv4 as the IPv4-compatible `::a.b.c.d` inside the 128-bit space, the
 * way Net::Connection::Sniffer::Util compares addresses.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** The address as an unsigned integer, 32 bits for IPv4, 128 bits for IPv6. */
  readonly value: bigint;
}

/**
 * Parses a dotted-quad IPv4 address into a uint32, or returns undefined. Leading zeros are refused, as
 * inet_pton does, so `010.0.0.1` cannot be read as octal by one tool and decimal by another.
 */
export function parseIPv4(text: string): number | undefined {
  const length = text.length;
  if (length < 7 || length > 15) return undefined;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return undefined;
    scratch[i] = code;
  }
  return parseIPv4Bytes(scratch, 0, length);
}

const scratch = new Uint8Array(15);

/**
 * `parseIPv4` of the ASCII bytes bytes[start … end-1]. Scans the bytes directly: it runs once per address
 * of every input, so no string, no split and no regex.
 */
export function parseIPv4Bytes(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end - start < 7 || end - start > 15) return undefined;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const code = bytes[i]!;
    if (code === 0x2e) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (code >= 0x30 && code <= 0x39) {
      if (digits > 0 && octet === 0) return undefined; // leading zero
      octet = octet * 10 + (code - 0x30);
      if (++digits > 3 || octet > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + octet;
}

export function formatIPv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Parses an IPv6 address (with `::`, an embedded dotted quad, no zone) into a 128-bit bigint. */
export function parseIPv6(text: string): bigint | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let head = text;
  let tailV4: number | undefined;
  const lastColon = text.lastIndexOf(':');
  if (lastColon >= 0 && text.indexOf('.', lastColon) > 0) {
    tailV4 = parseIPv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups: number[] = [];
    for (const group of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      groups.push(parseInt(group, 16));
    }
    return groups;
  };
  const left = parseGroups(halves[0] ?? '');
  const right = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (left === undefined || right === undefined) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(group);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | BigInt(tailV4);
  return value;
}

/** Formats a 128-bit value the RFC 5952 way: lower case, zeros suppressed, longest zero run as `::`. */
export function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not shortened (RFC 5952 4.2.2)
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLength).join(':');
  return `${left}::${right}`;
}

/** Parses either family; returns undefined for anything that is not an address. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIPv4(text);
  return value === undefined ? undefined : { family: 4, value: BigInt(value) };
}

export function formatIp(address: IpAddress): string {
  return address.family === 4 ? formatIPv4(Number(address.value)) : formatIPv6(address.value);
}

/**
 * A key that orders addresses numerically with plain `<`: IPv4 as its uint32 number, IPv6 as a bigint
 * offset past every IPv4 value (JavaScript compares numbers and bigints exactly). Undefined for non-addresses.
 */
export function addressOrderKey(text: string): number | bigint | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return v4;
  const v6 = text.includes(':') ? parseIPv6(text) : undefined;
  return v6 === undefined ? undefined : v6 + 0x100000000n;
}

export function compareOrderKeys(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Numeric order: IPv4 before IPv6, then by value. */
export function compareIp(a: IpAddress, b: IpAddress): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

export function familyBits(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}

/** A prefix: the network address (host bits zero) and its length. */
export interface IpPrefix {
  readonly network: IpAddress;
  readonly length: number;
}

/** The prefix of `length` bits that holds `address`. */
export function prefixOf(address: IpAddress, length: number): IpPrefix {
  const bits = familyBits(address.family);
  if (!Number.isInteger(length) || length < 0 || length > bits) {
    throw new RangeError(`prefix length ${length} is outside 0..${bits} for IPv${address.family}`);
  }
  const hostBits = BigInt(bits - length);
  const value = (address.value >> hostBits) << hostBits;
  return { network: { family: address.family, value }, length };
}

export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  if (prefix.network.family !== address.family) return false;
  return prefixOf(address, prefix.length).network.value === prefix.network.value;
}

export function formatPrefix(prefix: IpPrefix): string {
  return `${formatIp(prefix.network)}/${prefix.length}`;
}

/** Parses `a.b.c.d/n` or `x::y/n`; a bare address is a host prefix. Host bits must be zero. */
export function parsePrefix(text: string): IpPrefix | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const bits = familyBits(address.family);
  let length = bits;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(lengthText)) return undefined;
    length = Number(lengthText);
    if (length > bits) return undefined;
  }
  const prefix = prefixOf(address, length);
  return prefix.network.value === address.value ? prefix : undefined;
}
