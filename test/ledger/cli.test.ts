import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, runNetledger } from './run.js';

// 2026-11-20T10:00:00Z and neighbours; the second flow spans 10:58:00–11:02:00 (half in each hour).
const T = 1_795_168_800;
const FLOWS = [
  { start: T, end: T + 60, src: '10.0.0.1', dst: '192.0.2.5', proto: 'tcp', packets: 10, bytes: 1000 },
  { start: T + 3480, end: T + 3720, src: '10.0.0.2', dst: '192.0.2.5', proto: 'udp', packets: 3, bytes: 301 },
  {
    start: T + 7200,
    end: T + 7200,
    src: '2001:db8::7',
    dst: '10.0.0.1',
    proto: 'tcp',
    packets: 1,
    bytes: 60,
  },
];

describe('netledger ingest / top / series / sources', () => {
  let dir: string;
  let flows: string;
  let ledger: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netledger-cli-'));
    flows = join(dir, 'flows.ndjson');
    ledger = join(dir, 'l.duckdb');
    await writeFile(flows, FLOWS.map((flow) => JSON.stringify(flow) + '\n').join(''));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests once, then reports the file unchanged', async () => {
    const first = await runNetledger(['ingest', '--ledger', ledger, flows]);
    expect(first).toEqual({ code: 0, stdout: `${flows}: 3 records added (ndjson)\n`, stderr: '' });
    const second = await runInProcess(['ingest', flows], { NETLEDGER_LEDGER: ledger });
    expect(second).toEqual({ code: 0, stdout: `${flows}: unchanged, nothing added\n`, stderr: '' });
  });

  it('says what the reader skipped, by reason', async () => {
    const dumps = join(dir, 'fwctl_acct');
    await writeFile(
      dumps,
      '954583200 acct0000 0 0 web\n954586800 acct0000 1200 960000 web\nx954590400 acct0000 1300 970000 web\n' +
        '954590400 acct0000\n',
    );
    const result = await runInProcess(['ingest', '--ledger', join(dir, 'skips.duckdb'), dumps]);
    expect(result).toEqual({
      code: 0,
      stdout: `${dumps}: 2 records added (fwctl), 2 skipped (bad timestamp 1, missing fields 1)\n`,
      stderr: '',
    });
  });

  it('ranks hosts as a text table', async () => {
    const result = await runInProcess(['top', '--ledger', ledger, '--by', 'host']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'host         bytes  packets  records',
        '192.0.2.5     1301       13        2',
        '10.0.0.1      1060       11        2',
        '10.0.0.2       301        3        1',
        '2001:db8::7     60        1        1',
        '',
      ].join('\n'),
    );
  });

  it('groups by any CIDR length and writes CSV', async () => {
    const result = await runInProcess([
      'top',
      '--ledger',
      ledger,
      '--by',
      'cidr/16,32',
      '--format',
      'csv',
      '--limit',
      '2',
    ]);
    expect(result.stdout).toBe(
      '"cidr/16,32",bytes,packets,records\r\n10.0.0.0/16,1361,14,3\r\n192.0.0.0/16,1301,13,2\r\n',
    );
  });

  it('selects records by start time with natural --since/--until', async () => {
    const result = await runInProcess([
      'top',
      '--ledger',
      ledger,
      '--by',
      'src',
      '--utc',
      '--since',
      '2026-11-20 10:30',
      '--until',
      '2026-11-20 12:00',
      '--format',
      'ndjson',
    ]);
    expect(result.stdout).toBe('{"key":"10.0.0.2","bytes":301,"packets":3,"records":1}\n');
  });

  it('splits a flow across hourly bins in proportion', async () => {
    const result = await runInProcess([
      'series',
      '--ledger',
      ledger,
      '--by',
      'proto',
      '--bin',
      '1h',
      '--format',
      'csv',
    ]);
    expect(result.stdout).toBe(
      [
        'time,proto,bytes,packets',
        '2026-11-20T10:00:00Z,tcp,1000,10',
        '2026-11-20T10:00:00Z,udp,150,1',
        '2026-11-20T11:00:00Z,udp,151,2',
        '2026-11-20T12:00:00Z,tcp,60,1',
        '',
      ].join('\r\n'),
    );
  });

  it('lists the sources it has read', async () => {
    const result = await runInProcess(['sources', '--ledger', ledger, '--format', 'ndjson']);
    const [entry] = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entry).toMatchObject({
      id: '1',
      path: flows,
      format: 'ndjson',
      from: 0,
      records: 3,
      first: '2026-11-20T10:00:00Z',
      last: '2026-11-20T12:00:00Z',
    });
  });

  it('names the file and line of a bad record and commits nothing from it', async () => {
    const bad = join(dir, 'bad.ndjson');
    await writeFile(bad, `${JSON.stringify(FLOWS[0])}\n\n{"start": 5, "end": 1, "packets": 1, "bytes": 1}\n`);
    const result = await runInProcess(['ingest', '--ledger', ledger, bad, flows]);
    expect(result).toEqual({
      code: 65,
      stdout: `${flows}: unchanged, nothing added\n`,
      stderr: `netledger: 'end' (1) is before 'start' (5) (${bad}:3)\n`,
    });
    const sources = await runInProcess(['sources', '--ledger', ledger, '--format', 'ndjson']);
    expect(sources.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a file whose format it cannot tell, and an unknown key', async () => {
    const odd = join(dir, 'odd.txt');
    await writeFile(odd, 'hello\n');
    expect(await runInProcess(['ingest', '--ledger', ledger, odd])).toMatchObject({
      code: 64,
      stderr: `netledger: cannot tell the format of ${odd} from its content; give --format (ndjson, pcap, fwctl, sniffer, argus, tstat)\n`,
    });
    expect(await runInProcess(['top', '--ledger', ledger, '--by', 'colour'])).toMatchObject({
      code: 64,
      stderr:
        "netledger: invalid --by 'colour': expected host|src|dst|cidr24|cidr/N[,M]|domain|mac|chain|port|proto|sensor\n",
    });
  });

  it('writes --output atomically', async () => {
    const out = join(dir, 'top.json');
    const result = await runInProcess([
      'top',
      '--ledger',
      ledger,
      '--by',
      'proto',
      '--format',
      'json',
      '-o',
      out,
    ]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({
      by: 'proto',
      rows: [
        { key: 'tcp', bytes: 1060, packets: 11, records: 2 },
        { key: 'udp', bytes: 301, packets: 3, records: 1 },
      ],
    });
  });
});
