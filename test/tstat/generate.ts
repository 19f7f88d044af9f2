/**
 * Seeded generator of tstat output trees for tests and the benchmark: `YYYY_MM_DD_HH_MM.out` directories
 * with `log_tcp_complete` (tstat 3.x log version 15, 130 columns) and `log_udp_complete` (19 columns).
 * The same seed and options always give the same bytes.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '../gen/random.js';

/** tstat 3.x log version 15 TCP header (all optional column sets enabled). */
export const TCP_HEADER_NAMES = (
  'c_ip c_port c_pkts_all c_rst_cnt c_ack_cnt c_ack_cnt_p c_bytes_uniq c_pkts_data c_bytes_all c_pkts_retx ' +
  'c_bytes_retx c_pkts_ooo c_syn_cnt c_fin_cnt s_ip s_port s_pkts_all s_rst_cnt s_ack_cnt s_ack_cnt_p ' +
  's_bytes_uniq s_pkts_data s_bytes_all s_pkts_retx s_bytes_retx s_pkts_ooo s_syn_cnt s_fin_cnt first last ' +
  'durat c_first s_first c_last s_last c_first_ack s_first_ack c_isint s_isint c_iscrypto s_iscrypto con_t ' +
  'p2p_t http_t c_rtt_avg c_rtt_min c_rtt_max c_rtt_std c_rtt_cnt c_ttl_min c_ttl_max s_rtt_avg s_rtt_min ' +
  's_rtt_max s_rtt_std s_rtt_cnt s_ttl_min s_ttl_max p2p_st ed2k_data ed2k_sig ed2k_c2s ed2k_c2c ed2k_chat ' +
  'c_f1323_opt c_tm_opt c_win_scl c_sack_opt c_sack_cnt c_mss c_mss_max c_mss_min c_win_max c_win_min ' +
  'c_win_0 c_cwin_max c_cwin_min c_cwin_ini c_pkts_rto c_pkts_fs c_pkts_reor c_pkts_dup c_pkts_unk ' +
  'c_pkts_fc c_pkts_unrto c_pkts_unfs c_syn_retx s_f1323_opt s_tm_opt s_win_scl s_sack_opt s_sack_cnt ' +
  's_mss s_mss_max s_mss_min s_win_max s_win_min s_win_0 s_cwin_max s_cwin_min s_cwin_ini s_pkts_rto ' +
  's_pkts_fs s_pkts_reor s_pkts_dup s_pkts_unk s_pkts_fc s_pkts_unrto s_pkts_unfs s_syn_retx ' +
  'http_req_cnt http_res_cnt http_res c_pkts_push s_pkts_push c_tls_SNI s_tls_SCN c_npnalpn s_npnalpn ' +
  'c_tls_sesid c_last_handshakeT s_last_handshakeT c_appdataT s_appdataT c_appdataB s_appdataB fqdn ' +
  'dns_rslv req_tm res_tm'
).split(' ');

export const UDP_HEADER_NAMES = (
  'c_ip c_port c_first_abs c_durat c_bytes_all c_pkts_all c_isint c_iscrypto c_type ' +
  's_ip s_port s_first_abs s_durat s_bytes_all s_pkts_all s_isint s_iscrypto s_type fqdn'
).split(' ');

/** `#15#c_ip:1 c_port:2 …` (tcp) or `#c_ip:1 …` (udp): tstat's header line. */
export function headerLine(names: readonly string[], prefix: string): string {
  return prefix + names.map((name, index) => `${name}:${index + 1}`).join(' ');
}

export { seededRandom };

const STRING_COLUMNS = new Set([
  'http_res',
  'c_tls_SNI',
  's_tls_SCN',
  'c_npnalpn',
  's_npnalpn',
  'fqdn',
  'dns_rslv',
]);
const FLOAT_COLUMNS =
  /^(c_first|s_first|c_last|s_last|c_first_ack|s_first_ack|[cs]_rtt_(avg|min|max|std)|[cs]_last_handshakeT|[cs]_appdataT|req_tm|res_tm)$/;
/** Texts Python's int()/float() read in surprising ways (none of them crashes the original here). */
const ODD_TOKENS = [
  '-0',
  '-0.0',
  '0.0005',
  '0.0015',
  '2.0625',
  '1e400',
  '-inf',
  '1E-7',
  '+.5',
  '5.',
  '.5e1',
  '1_0',
  '0x1',
  'NaN',
  '00',
  '123456789012345678901',
  '99999999999999999',
  '1.23456789e-5',
  '1e16',
  '0.00001',
  '\\',
];
const HOSTS = ['grafana.com', 'raw.githubusercontent.com', 'www.example.net', 'cdn.example.org'];

export interface GeneratorOptions {
  seed: number;
  /** Share of flows of 1 GB or more (so the default threshold keeps some). */
  bigFlowShare?: number;
  /** Mix in the edge cases tstat_transport meets in the wild (see `edgeRow`). */
  edgeCases?: boolean;
}

class RowMaker {
  readonly random: () => number;
  constructor(readonly options: GeneratorOptions) {
    this.random = seededRandom(options.seed);
  }
  int(max: number): number {
    return Math.floor(this.random() * max);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  ip(): string {
    if (this.random() < 0.15)
      return `2001:db8:${this.int(65536).toString(16)}::${this.int(65536).toString(16)}`;
    return `${this.pick([10, 192, 198, 35])}.${this.int(256)}.${this.int(256)}.${1 + this.int(254)}`;
  }
  bytes(): number {
    const big = this.random() < (this.options.bigFlowShare ?? 0.05);
    return big ? 1_000_000_000 + this.int(4_000_000_000) : this.int(this.random() < 0.3 ? 5_000_000 : 20_000);
  }
  floatMs(max: number): string {
    return (this.random() * max).toFixed(6);
  }

  tcp(): string[] {
    const first = 1591902179768 + this.int(86_400_000) + this.random();
    const durat = this.random() < 0.03 ? 0 : this.random() * 600_000;
    const values = new Map<string, string>();
    values.set('c_ip', this.ip());
    values.set('s_ip', this.ip());
    values.set('c_port', String(1024 + this.int(64000)));
    values.set('s_port', String(this.pick([443, 80, 22, 5001, 8080])));
    values.set('first', first.toFixed(6));
    values.set('last', (first + durat).toFixed(6));
    values.set('durat', durat.toFixed(6));
    for (const side of ['c_', 's_']) {
      const bytes = this.bytes();
      values.set(`${side}bytes_uniq`, String(bytes));
      values.set(`${side}bytes_all`, String(bytes + this.int(3000)));
      values.set(`${side}pkts_data`, String(Math.ceil(bytes / 1460)));
      values.set(`${side}mss`, String(this.pick([1460, 1418, 1380, 536])));
    }
    return TCP_HEADER_NAMES.map((name) => {
      const known = values.get(name);
      if (known !== undefined) return known;
      if (STRING_COLUMNS.has(name)) return this.random() < 0.5 ? '-' : this.pick(HOSTS);
      if (FLOAT_COLUMNS.test(name)) return this.floatMs(name.includes('rtt') ? 60 : 90_000);
      return String(this.int(this.random() < 0.7 ? 10 : 70_000));
    });
  }

  udp(): string[] {
    const first = 1455745800000 + this.int(3_600_000) + this.random();
    const row: string[] = [];
    for (const side of ['c_', 's_']) {
      const durat = this.random() < 0.03 ? 0 : this.random() * 200_000;
      const bytes = this.bytes();
      row.push(
        this.ip(),
        String(side === 's_' ? this.pick([53, 123, 5001, 443]) : 1024 + this.int(64000)),
        (first + (side === 's_' ? this.random() * 20 : 0)).toFixed(3),
        durat.toFixed(3),
        String(bytes),
        String(Math.max(1, Math.ceil(bytes / 1200))),
        String(this.int(2)),
        '0',
        String(this.int(10)),
      );
    }
    row.push(this.random() < 0.5 ? '-' : this.pick(HOSTS));
    return row;
  }
}

/**
 * Edge rows (the original handles all of them without crashing): rounding ties, `-` where numbers belong,
 * zero durations, exponents, nan/inf, leading zeros, quoted fields, short and long rows, blank lines.
 */
function edgeLines(protocol: 'tcp' | 'udp', maker: RowMaker): string[] {
  const base = (): string[] => (protocol === 'tcp' ? maker.tcp() : maker.udp());
  const names = protocol === 'tcp' ? TCP_HEADER_NAMES : UDP_HEADER_NAMES;
  const set = (row: string[], name: string, value: string): string[] => {
    const index = names.indexOf(name);
    if (index >= 0) row[index] = value;
    return row;
  };
  const dur = protocol === 'tcp' ? ['durat'] : ['c_durat', 's_durat'];
  const bytes = protocol === 'tcp' ? ['c_bytes_uniq', 's_bytes_uniq'] : ['c_bytes_all', 's_bytes_all'];
  const packets = protocol === 'tcp' ? ['c_pkts_data', 's_pkts_data'] : ['c_pkts_all', 's_pkts_all'];
  const lines: string[][] = [];
  // Ties: duration 0.125 s → 0.12, 0.375 → 0.38; 8 bits / 64 s = 0.125 → 0.12.
  for (const value of ['125.000000', '375.000000', '64000.000000', '2675.000000', '1005.000000']) {
    let row = base();
    for (const name of dur) row = set(row, name, value);
    lines.push(set(set(row, bytes[0] ?? '', '1'), packets[0] ?? '', '5'));
  }
  // A zero duration: rates are the int 0; `-` packets then survive as a string.
  let zero = base();
  for (const name of dur) zero = set(zero, name, '0.000000');
  lines.push(set(zero, packets[1] ?? '', '-'));
  // `-` packets with a duration: TypeError, that direction is dropped.
  lines.push(set(base(), packets[0] ?? '', '-'));
  // Exponent, leading zeros, plus sign, underscores: Python's int()/float() rules.
  lines.push(set(set(base(), packets[0] ?? '', '1e3'), packets[1] ?? '', '007'));
  lines.push(set(set(base(), bytes[0] ?? '', '+12'), bytes[1] ?? '', '1_000'));
  if (protocol === 'tcp') {
    lines.push(set(set(set(base(), 'c_rtt_avg', '0.0625'), 'c_rtt_max', 'inf'), 's_rtt_std', 'nan'));
    lines.push(set(set(base(), 'c_rtt_min', '-'), 's_rtt_min', '---'));
    lines.push(set(set(base(), 'c_mss', '-'), 's_mss', '-')); // str < str: compares as text
    lines.push(set(base(), 'c_sack_cnt', '-')); // str vs int: TypeError, both directions dropped
    lines.push(set(base(), 'fqdn', '"quoted name"'));
    lines.push(set(base(), 'c_tls_SNI', 'a"b'));
    lines.push(set(base(), 'dns_rslv', '"x""y"z'));
    lines.push(set(base(), 'http_res', 'caf\u00e9'));
    // Odd tokens where the original passes values through, divides by them or compares them.
    for (const token of ODD_TOKENS) {
      lines.push(set(set(set(base(), 'c_rtt_avg', token), 's_pkts_data', token), 'c_mss', token));
    }
  } else {
    lines.push(set(base(), 'fqdn', '"quoted name"'));
    lines.push(set(base(), 'fqdn', 'a"b'));
    lines.push(set(base(), 'fqdn', 'caf\u00e9'));
  }
  const text = lines.map((row) => row.join(' '));
  const short = base();
  short.pop();
  const long = [...base(), 'extra'];
  text.push(short.join(' '), '', long.join(' '), base().join(' '));
  return text;
}

export interface TreeOptions extends GeneratorOptions {
  root: string;
  /** Directories, named from 2016_02_17_12_00 in 60-minute steps. */
  directories: number;
  tcpRows: number;
  udpRows: number;
  /** Which directory indexes get no tcp / no udp log. */
  withoutTcp?: number[];
  withoutUdp?: number[];
  /** Write `.processed` into these directory indexes. */
  processed?: number[];
}

export function dirName(index: number): string {
  const start = Date.UTC(2016, 1, 17, 12, 0) + index * 3_600_000;
  const date = new Date(start);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getUTCFullYear()}_${pad(date.getUTCMonth() + 1)}_${pad(date.getUTCDate())}_${pad(date.getUTCHours())}_${pad(date.getUTCMinutes())}.out`;
}

async function writeLog(file: string, header: string, rows: number, make: () => string[], extra: string[]) {
  const stream = createWriteStream(file);
  const write = (text: string): Promise<void> =>
    new Promise((resolve) => (stream.write(text) ? resolve() : stream.once('drain', resolve)));
  await write(`${header}\n`);
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += `${make().join(' ')}\n`;
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = '';
    }
  }
  for (const line of extra) buffer += `${line}\n`;
  await write(buffer);
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/** Writes a tree; returns the directory paths in order. */
export async function generateTstatTree(options: TreeOptions): Promise<string[]> {
  const maker = new RowMaker(options);
  const paths: string[] = [];
  for (let index = 0; index < options.directories; index++) {
    const dir = join(options.root, dirName(index));
    await mkdir(dir, { recursive: true });
    if (!options.withoutTcp?.includes(index)) {
      const extra = options.edgeCases ? edgeLines('tcp', maker) : [];
      await writeLog(
        join(dir, 'log_tcp_complete'),
        headerLine(TCP_HEADER_NAMES, '#15#'),
        options.tcpRows,
        () => maker.tcp(),
        extra,
      );
    }
    if (!options.withoutUdp?.includes(index)) {
      const extra = options.edgeCases ? edgeLines('udp', maker) : [];
      await writeLog(
        join(dir, 'log_udp_complete'),
        headerLine(UDP_HEADER_NAMES, '#'),
        options.udpRows,
        () => maker.udp(),
        extra,
      );
    }
    if (options.processed?.includes(index)) await writeFile(join(dir, '.processed'), 'processed');
    paths.push(dir);
  }
  return paths;
}
