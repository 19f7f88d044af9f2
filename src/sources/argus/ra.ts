/**
 * Reading argus files through Debian's argus-client: spawn `ra`, stream its CSV, fill one
 * {@link ArgusFlow} per row. Management rows (`man`) are dropped and counted.
 *
 * `ra` is quiet about some damage the native reader reports (a truncated last record ends its output
 * early, exit 0): prefer the native reader; this path is the independent check and the fallback.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { InputError, MissingToolError, ParseError } from '../../model/errors.js';
import { parseIPv4, parseIPv6 } from '../../model/ip.js';
import { parseMac } from '../../model/mac.js';
import { countSkipped, newSourceCounters, type SourceCounters } from '../../model/record.js';
import { NO_MAC, NO_VLAN, newArgusFlow, protoNumber, type ArgusFlow } from './flow.js';

/** The `ra -s` field list, in the column order the parser expects. */
export const RA_FIELDS = [
  'stime',
  'ltime',
  'saddr',
  'daddr',
  'proto',
  'sport',
  'dport',
  'smac',
  'dmac',
  'spkts',
  'dpkts',
  'sbytes',
  'dbytes',
  'sappbytes',
  'dappbytes',
] as const;

/** The full `ra` argument list for `file` (`-` reads stdin). */
export function raArguments(file: string): string[] {
  return ['-r', file, '-u', '-L', '-1', '-c', ',', '-nn', '-s', ...RA_FIELDS];
}

/** `1455745800.250000` → 1455745800250000 (exact). */
function parseEpochMicros(text: string): number | undefined {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 1e6 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** A port column: decimal, or `0x0008` for ICMP type/code. */
function parsePort(text: string): number | undefined {
  if (/^\d{1,5}$/.test(text)) return Number(text);
  if (/^0x[0-9a-f]{1,4}$/i.test(text)) return parseInt(text.slice(2), 16);
  if (text === '') return 0;
  return undefined;
}

function parseCount(text: string): number | undefined {
  return /^\d{1,15}$/.test(text) ? Number(text) : undefined;
}

/**
 * Parses one CSV row of {@link RA_FIELDS} into `flow`. Returns 'flow', 'management' or 'non-ip'; throws a
 * ParseError naming the column for anything else.
 */
export function parseRaRow(
  line: string,
  flow: ArgusFlow,
  position: { file: string; line: number },
): 'flow' | 'management' | 'non-ip' {
  const fields = line.split(',');
  if (fields.length !== RA_FIELDS.length) {
    throw new ParseError(`expected ${RA_FIELDS.length} ra columns, found ${fields.length}`, position);
  }
  const [stime, ltime, saddr, daddr, proto, sport, dport, smac, dmac, ...counts] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    ...string[],
  ];
  if (proto === 'man') return 'management';
  const bad = (column: string, value: string): never => {
    throw new ParseError(`bad ra ${column} value '${value}'`, position);
  };
  flow.position = position.line;
  flow.cause = 0;
  flow.startUs = parseEpochMicros(stime) ?? bad('stime', stime);
  flow.endUs = parseEpochMicros(ltime) ?? bad('ltime', ltime);
  flow.proto = protoNumber(proto) ?? bad('proto', proto);
  if (saddr.includes(':')) {
    const src = parseIPv6(saddr);
    const dst = parseIPv6(daddr);
    if (src === undefined || dst === undefined) return 'non-ip';
    flow.family = 6;
    flow.srcV6 = src;
    flow.dstV6 = dst;
  } else {
    const src = parseIPv4(saddr);
    const dst = parseIPv4(daddr);
    if (src === undefined || dst === undefined) return 'non-ip';
    flow.family = 4;
    flow.srcV4 = src;
    flow.dstV4 = dst;
  }
  flow.sport = parsePort(sport) ?? bad('sport', sport);
  flow.dport = parsePort(dport) ?? bad('dport', dport);
  flow.smac = smac === '' ? NO_MAC : (parseMac(smac) ?? bad('smac', smac));
  flow.dmac = dmac === '' ? NO_MAC : (parseMac(dmac) ?? bad('dmac', dmac));
  flow.vlan = NO_VLAN;
  const count = (index: number, column: string): number =>
    parseCount(counts[index]!) ?? bad(column, counts[index]!);
  flow.spkts = count(0, 'spkts');
  flow.dpkts = count(1, 'dpkts');
  flow.sbytes = count(2, 'sbytes');
  flow.dbytes = count(3, 'dbytes');
  flow.sappbytes = count(4, 'sappbytes');
  flow.dappbytes = count(5, 'dappbytes');
  return 'flow';
}

/**
 * Runs `ra` on `file` (a path, or `-` with `stdin` piped in) and calls `onFlow` per flow row.
 * `ra` missing → MissingToolError naming the Debian package; `ra` failing → InputError with its message.
 */
export async function readArgusViaRa(
  file: string,
  onFlow: (flow: ArgusFlow) => void,
  options: { stdin?: Readable; name?: string; raCommand?: string } = {},
): Promise<SourceCounters> {
  const name = options.name ?? (file === '-' ? '<stdin>' : file);
  const counters = newSourceCounters();
  const child = spawn(options.raCommand ?? 'ra', raArguments(file), {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new MissingToolError('ra', 'argus-client') : error),
    );
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  await spawned;
  if (options.stdin && child.stdin) {
    child.stdin.on('error', () => undefined); // ra may exit before reading everything
    options.stdin.pipe(child.stdin);
  }
  const flow = newArgusFlow();
  let line = 0;
  try {
    for await (const text of createInterface({ input: child.stdout!, crlfDelay: Infinity })) {
      line++;
      if (text === '') continue;
      const kind = parseRaRow(text, flow, { file: name, line });
      // Management records are not flows (see the native reader).
      if (kind === 'management') continue;
      counters.read++;
      if (kind === 'non-ip') countSkipped(counters, 'non-IP flow');
      else {
        counters.decoded++;
        onFlow(flow);
      }
    }
  } catch (error) {
    child.kill();
    throw error;
  }
  const code = await exited;
  if (code !== 0) {
    // ra prints `ra[pid]: hh:mm:ss.ffffff message`; keep the message.
    const message =
      stderr
        .trim()
        .split('\n')
        .pop()
        ?.replace(/^ra\[\d+\]: [\d:.]+ /, '') ?? '';
    throw new InputError(
      message === '' ? `ra exited with status ${code} (not an argus file?)` : `ra: ${message}`,
      name,
    );
  }
  return counters;
}
