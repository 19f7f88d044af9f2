/**
 * Writes Sniffer status files the way the originals do, so Report.pm's `read_stf` (and netledger) read
 * them back: the daemon's layout (`dump_stats` in Net::Connection::Sniffer 0.36) and the composite file
 * of `rem_update` (headers, a grand total, then Data::Dumper's `my $VAR1 = {…};`).
 */
import { compareIp, parseIp, type IpAddress } from '../../model/ip.js';
import { formatCtime } from '../../model/time.js';
import { formatFixed0 } from '../../report/perl-format.js';
import type { DaemonHeader, SnifferEntry } from './status.js';
import { SnifferTable } from './table.js';

/** Entries in the daemon's order: by packed address (numeric), IPv4 before IPv6. */
export function sortEntriesByAddress(entries: readonly SnifferEntry[]): SnifferEntry[] {
  const keyed = entries.map((entry) => ({ entry, address: parseIp(entry.ip) as IpAddress }));
  keyed.sort((a, b) => compareIp(a.address, b.address));
  return keyed.map(({ entry }) => entry);
}

/** Perl single-quoted string literal. */
export function perlQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (char) => `\\${char}`)}'`;
}

/** The daemon escapes non-printable bytes of match strings as `\x{hh}`. */
function escapeNonPrintable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (char) => `\\x{${char.charCodeAt(0).toString(16).padStart(2, '0')}}`);
}

/** The header the daemon writes before the data; it starts with an empty line. */
export function formatDaemonHeader(header: DaemonHeader, users: number, utc = false): string {
  let text =
    '\n' +
    `# Net::Connection::Sniffer version ${header.version}\n` +
    `# start:\t${header.start},\t${formatCtime(header.start, utc)}\n` +
    `# current:\t${header.current},\t${formatCtime(header.current, utc)}\n` +
    `# hits:\t\t${formatFixed0(header.hitsPerMinute)} per minute\n` +
    `# bytes:\t${formatFixed0(header.bytesPerSecond)} per second\n` +
    `# users:\t${users}\n` +
    `# device:\t${header.device}\t${header.promiscuous ? 'promiscuous' : 'non-promiscuous'}\n` +
    `# bpf:\t\t${header.bpf}\n`;
  if (header.fragment !== undefined) {
    text += `# fragment:\t${header.fragment.payloadOffset} - ${header.fragment.snaplen}\n`;
  }
  if (header.contains !== undefined) text += `# contains:\t${escapeNonPrintable(header.contains)}\n`;
  if (header.excludes !== undefined) text += `# excludes:\t${escapeNonPrintable(header.excludes)}\n`;
  return text;
}

function formatDaemonEntry(entry: SnifferEntry): string {
  // The daemon pads the key with a TAB, or with one space when the address is longer than 13 characters.
  const gap = entry.ip.length > 13 ? ' ' : '\t';
  const names = entry.names.map((name) => `${perlQuote(name)},`).join('');
  return (
    `\t${perlQuote(entry.ip)}${gap}=> {\n` +
    `\t\tB\t=> ${formatFixed0(entry.bytes)},\n` +
    `\t\tC\t=> ${formatFixed0(entry.count)},\n` +
    `\t\tE\t=> ${formatFixed0(entry.lastUpdate)},\n` +
    `\t\tN\t=> [${names}],\n` +
    `\t\tR\t=> ${formatFixed0(entry.ratePerHour)},\n` +
    `\t\tS\t=> ${formatFixed0(entry.start)},\n` +
    `\t\tT\t=> ${formatFixed0(entry.ptrExpiry)},\n` +
    `\t\tW\t=> ${formatFixed0(entry.bytesPerHour)},\n` +
    `\t},\n`
  );
}

/**
 * The whole status file as the daemon writes it. With no entries the daemon writes an empty file (not even
 * the header), and so does this. Entries are sorted by address.
 */
export function formatDaemonStatus(
  header: DaemonHeader,
  entries: readonly SnifferEntry[],
  utc = false,
): string {
  if (entries.length === 0) return '';
  const parts = [formatDaemonHeader(header, entries.length, utc), '{\n  my $dump = {\n'];
  for (const entry of sortEntriesByAddress(entries)) parts.push(formatDaemonEntry(entry));
  parts.push('  };\n}\n');
  return parts.join('');
}

/**
 * A number as Data::Dumper (XS) writes it: an integer of at most 10 characters bare, anything else (longer
 * integers, so that 32-bit Perls cope, and every non-integer) as a quoted string of Perl's `%.15g` text.
 */
export function dumperNumber(value: number): string {
  const text = perlNumberText(value);
  return Number.isSafeInteger(value) && text.length <= 10 ? text : perlQuote(text);
}

export function perlNumberText(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return String(value);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Inf' : '-Inf';
  // C's %.15g: exponential form when the exponent is below -4 or at least the precision.
  const [mantissa = '0', exponentText = '0'] = value.toExponential(14).split('e');
  const exponent = Number(exponentText);
  const strip = (digits: string) =>
    digits.includes('.') ? digits.replace(/0+$/, '').replace(/\.$/, '') : digits;
  if (exponent < -4 || exponent >= 15) {
    const sign = exponent < 0 ? '-' : '+';
    return `${strip(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return strip(value.toFixed(14 - exponent));
}

function dumperEntry(entry: SnifferEntry, indent: number): string {
  const key = `${perlQuote(entry.ip)} => `;
  const braceColumn = indent + key.length;
  const inner = ' '.repeat(braceColumn + 2);
  const field = (name: string, value: string) => `${inner}'${name}' => ${value}`;
  const bracketColumn = braceColumn + 2 + "'N' => ".length;
  const names =
    entry.names.length === 0
      ? '[]'
      : '[\n' +
        entry.names.map((name) => `${' '.repeat(bracketColumn + 2)}${perlQuote(name)}`).join(',\n') +
        `\n${' '.repeat(bracketColumn)}]`;
  const lines = [
    field('B', dumperNumber(entry.bytes)),
    field('C', dumperNumber(entry.count)),
    field('E', dumperNumber(entry.lastUpdate)),
    field('N', names),
    field('R', dumperNumber(entry.ratePerHour)),
    field('S', dumperNumber(entry.start)),
    field('T', dumperNumber(entry.ptrExpiry)),
    field('W', dumperNumber(entry.bytesPerHour)),
  ];
  return `${' '.repeat(indent)}${key}{\n${lines.join(',\n')}\n${' '.repeat(braceColumn)}}`;
}

/** `Data::Dumper::Dumper($stats)` (Indent=2, keys sorted by address) prefixed with `my `, as rem_update writes. */
export function formatDumperBody(entries: readonly SnifferEntry[]): string {
  return Buffer.concat([...dumperBodyChunks(SnifferTable.fromEntries(entries))]).toString('latin1');
}

/** Rows per chunk of a composite file: a few hundred kB each. */
const ROWS_PER_CHUNK = 1024;

/**
 * The Data::Dumper body of a table, in chunks of bytes (latin1, as status files are read). A million IPs
 * make half a gigabyte of it, about the longest string V8 can hold: so the body is never one string.
 */
export function* dumperBodyChunks(table: SnifferTable): Generator<Buffer> {
  if (table.size === 0) {
    yield Buffer.from('my $VAR1 = {};\n', 'latin1');
    return;
  }
  const order = table.addressOrder();
  let parts = ['my $VAR1 = {\n'];
  for (let i = 0; i < order.length; i++) {
    parts.push(dumperEntry(table.entry(order[i]!), 10), i + 1 < order.length ? ',\n' : '\n        };\n');
    if (parts.length >= 2 * ROWS_PER_CHUNK) {
      yield Buffer.from(parts.join(''), 'latin1');
      parts = [];
    }
  }
  yield Buffer.from(parts.join(''), 'latin1');
}

/** The grand-total block rem_update appends to the concatenated headers. */
export function formatGrandTotal(hitsPerMinute: number, bytesPerSecond: number): string {
  return `\n# grand total all hosts\n# hits: \t${hitsPerMinute} per minute\n# bytes:\t${bytesPerSecond} per second\n`;
}

interface MergedHeaderForWriting {
  headers: string;
  hitsPerMinute: number;
  bytesPerSecond: number;
}

interface MergedForWriting extends MergedHeaderForWriting {
  entries: readonly SnifferEntry[];
}

/** The composite file's header: every input's header, then the grand total. */
export function formatCompositeHeader(merged: MergedHeaderForWriting): string {
  return merged.headers + formatGrandTotal(merged.hitsPerMinute, merged.bytesPerSecond);
}

/** The composite status file: headers, grand total, Data::Dumper body. */
export function formatComposite(merged: MergedForWriting): string {
  return formatCompositeHeader(merged) + formatDumperBody(merged.entries);
}

/** The composite status file of a merged table, in chunks of bytes (see dumperBodyChunks). */
export function* compositeChunks(merged: MergedHeaderForWriting, table: SnifferTable): Generator<Buffer> {
  yield Buffer.from(formatCompositeHeader(merged), 'latin1');
  yield* dumperBodyChunks(table);
}
