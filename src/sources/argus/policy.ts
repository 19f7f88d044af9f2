/**
 * Traffic policy files: which class a flow's traffic belongs to, by the remote address, protocol and
 * remote port. This replaces the binary policy traf-policy(1) made for ra-sum with a text format.
 *
 * Format (one rule per line; `#` starts a comment; fields separated by blanks):
 *
 *     # class  prefix            [proto]  [ports]
 *     1        10.0.0.0/8
 *     2        192.0.2.0/24      tcp      80,443,8000-8080
 *     3        2001:db8::/32     udp      53
 *     4        0.0.0.0/0         icmp
 *
 * - class: an integer 0..4294967295. Traffic no rule matches has class 0.
 * - prefix: an IPv4 or IPv6 CIDR prefix with zero host bits (a bare address is a host prefix).
 * - proto: `any` (the default), a name (`tcp`, `udp`, `icmp`, `ipv6-icmp`, `gre`, `esp`, `sctp`…) or a number.
 * - ports: `any` (the default) or a comma list of ports and ranges `lo-hi`, matched against the remote port.
 *
 * The longest matching prefix wins. Among rules with that prefix, one naming ports beats one naming only a
 * protocol, which beats one naming neither; then the earlier line wins.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, fromFsError } from '../../model/errors.js';
import { parsePrefix, type IpAddress } from '../../model/ip.js';
import { protoNumber } from './flow.js';

export interface PolicyRule {
  line: number;
  classId: number;
  family: 4 | 6;
  length: number;
  /** Network address: uint32 for IPv4, bigint for IPv6. */
  network: number | bigint;
  /** Protocol number, or undefined for any. */
  proto: number | undefined;
  /** Inclusive port ranges, or undefined for any. */
  ports: Array<[number, number]> | undefined;
}

interface FamilyTable {
  /** Prefix lengths present, longest first. */
  lengths: number[];
  byLength: Map<number, Map<number | bigint, PolicyRule[]>>;
}

function specificity(rule: PolicyRule): number {
  return rule.ports !== undefined ? 2 : rule.proto !== undefined ? 1 : 0;
}

function parsePorts(text: string): Array<[number, number]> | undefined {
  const ranges: Array<[number, number]> = [];
  for (const part of text.split(',')) {
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    if (!match) return undefined;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (low > 65535 || high > 65535 || high < low) return undefined;
    ranges.push([low, high]);
  }
  return ranges;
}

/** Parses policy text; `file` names it in errors. Throws ConfigError with the line number. */
export function parsePolicy(text: string, file = '<policy>'): Policy {
  const rules: PolicyRule[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;
    const fields = content.split(/\s+/);
    const fail = (message: string): never => {
      throw new ConfigError(message, { file, line });
    };
    if (fields.length < 2 || fields.length > 4) {
      fail(
        `expected CLASS PREFIX [PROTO [PORTS]], found ${fields.length} field${fields.length === 1 ? '' : 's'}`,
      );
    }
    const [classText, prefixText, protoText = 'any', portsText = 'any'] = fields as [
      string,
      string,
      ...string[],
    ];
    if (!/^\d{1,10}$/.test(classText) || Number(classText) > 0xffffffff) {
      fail(`expected a class number 0..4294967295, found '${classText}'`);
    }
    const prefix = parsePrefix(prefixText);
    if (prefix === undefined)
      fail(`expected an IPv4 or IPv6 prefix with zero host bits, found '${prefixText}'`);
    const proto =
      protoText === 'any' ? undefined : (protoNumber(protoText) ?? fail(`unknown protocol '${protoText}'`));
    const ports =
      portsText === 'any' ? undefined : (parsePorts(portsText) ?? fail(`bad port list '${portsText}'`));
    const family = prefix!.network.family;
    rules.push({
      line,
      classId: Number(classText),
      family,
      length: prefix!.length,
      network: family === 4 ? Number(prefix!.network.value) : prefix!.network.value,
      proto,
      ports,
    });
  });
  return new Policy(rules);
}

/** Reads and parses a policy file. */
export async function loadPolicy(file: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw fromFsError(error, file);
  }
  return parsePolicy(text, file);
}

const TWO_POW_32 = 4294967296;

/** A parsed policy: classifies (remote address, protocol, remote port). */
export class Policy {
  private readonly tables: Record<4 | 6, FamilyTable>;

  constructor(readonly rules: readonly PolicyRule[]) {
    this.tables = { 4: { lengths: [], byLength: new Map() }, 6: { lengths: [], byLength: new Map() } };
    for (const rule of rules) {
      const table = this.tables[rule.family];
      let bucket = table.byLength.get(rule.length);
      if (!bucket) table.byLength.set(rule.length, (bucket = new Map()));
      const list = bucket.get(rule.network) ?? [];
      list.push(rule);
      bucket.set(rule.network, list);
    }
    for (const table of Object.values(this.tables)) {
      table.lengths = [...table.byLength.keys()].sort((a, b) => b - a);
      for (const bucket of table.byLength.values()) {
        for (const list of bucket.values())
          list.sort((a, b) => specificity(b) - specificity(a) || a.line - b.line);
      }
    }
  }

  /** The class of traffic with a remote IPv4 address (uint32), protocol and remote port; 0 when none. */
  classifyV4(address: number, proto: number, port: number): number {
    const table = this.tables[4];
    for (const length of table.lengths) {
      const size = 2 ** (32 - length);
      const network = length === 0 ? 0 : Math.floor(address / size) * size;
      const match = this.firstMatch(table.byLength.get(length)!.get(network % TWO_POW_32), proto, port);
      if (match !== undefined) return match;
    }
    return 0;
  }

  classifyV6(address: bigint, proto: number, port: number): number {
    const table = this.tables[6];
    for (const length of table.lengths) {
      const hostBits = BigInt(128 - length);
      const match = this.firstMatch(
        table.byLength.get(length)!.get((address >> hostBits) << hostBits),
        proto,
        port,
      );
      if (match !== undefined) return match;
    }
    return 0;
  }

  classify(address: IpAddress, proto: number, port: number): number {
    return address.family === 4
      ? this.classifyV4(Number(address.value), proto, port)
      : this.classifyV6(address.value, proto, port);
  }

  private firstMatch(rules: PolicyRule[] | undefined, proto: number, port: number): number | undefined {
    if (rules === undefined) return undefined;
    for (const rule of rules) {
      if (rule.proto !== undefined && rule.proto !== proto) continue;
      if (rule.ports !== undefined && !rule.ports.some(([low, high]) => port >= low && port <= high))
        continue;
      return rule.classId;
    }
    return undefined;
  }
}

/** The policy of an absent `-c`: everything is class 0. */
export const EMPTY_POLICY = new Policy([]);
