/**
 * readTstatRecords reads the scanner's row views directly (field indexes once per header, numbers from
 * the bytes). It must give exactly the records, counters and skip warnings of the reader it replaced,
 * kept here as the reference: a TstatRow copy per row, each field looked up by name and read by Number.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTstatTree, TCP_HEADER_NAMES, UDP_HEADER_NAMES } from '../../test/tstat/generate.js';
import { tempDir } from '../../test/tstat/helpers.js';
import type { SourceCounters, TrafficRecord } from '../model/record.js';
import { countSkipped, newSourceCounters } from '../model/record.js';
import {
  readTstatLog,
  readTstatRecordBatches,
  readTstatRecords,
  tstatField,
  type TstatProtocol,
  type TstatRecordOptions,
} from './tstat.js';

/** The reader before row views (verbatim but for its name). */
async function* referenceRecords(file: string, options: TstatRecordOptions): AsyncGenerator<TrafficRecord> {
  const counters = options.counters ?? newSourceCounters();
  const tcp = options.protocol === 'tcp';
  const bytesName = tcp ? 'bytes_uniq' : 'bytes_all';
  const packetsName = tcp ? 'pkts_data' : 'pkts_all';
  for await (const { columns, rows } of readTstatLog(file, { ...options, counters })) {
    for (const row of rows) {
      const get = (name: string): string | undefined => tstatField(columns, row, name);
      const numbers = (name: string): number => {
        const text = get(name);
        return text === undefined || text.trim() === '' ? NaN : Number(text);
      };
      const counts = [
        numbers(`c_${bytesName}`),
        numbers(`c_${packetsName}`),
        numbers(`s_${bytesName}`),
        numbers(`s_${packetsName}`),
      ];
      const cPort = numbers('c_port');
      const sPort = numbers('s_port');
      let start: number;
      let end: number;
      if (tcp) {
        start = numbers('first') / 1000;
        end = numbers('last') / 1000;
      } else {
        start = numbers('c_first_abs') / 1000;
        end = start + numbers('c_durat') / 1000;
      }
      if (
        counts.some((value) => !Number.isSafeInteger(value) || value < 0) ||
        !Number.isFinite(start) ||
        !Number.isFinite(end) ||
        !Number.isInteger(cPort) ||
        !Number.isInteger(sPort)
      ) {
        countSkipped(counters, 'non-numeric counter');
        counters.decoded--;
        continue;
      }
      // The next two checks were added with the row-view reader's (found by test/ledger/readers-fuzz.test.ts).
      if (cPort < 0 || cPort > 65535 || sPort < 0 || sPort > 65535) {
        countSkipped(counters, 'port out of range');
        counters.decoded--;
        continue;
      }
      if (end < start) {
        countSkipped(counters, 'end before start');
        counters.decoded--;
        continue;
      }
      const [cBytes, cPackets, sBytes, sPackets] = counts as [number, number, number, number];
      const cIp = get('c_ip') ?? '';
      const sIp = get('s_ip') ?? '';
      const common = {
        start,
        end,
        proto: options.protocol,
        ...(options.sensor ? { sensor: options.sensor } : {}),
      };
      yield {
        ...common,
        src: cIp,
        sport: cPort,
        dst: sIp,
        dport: sPort,
        bytes: cBytes,
        packets: cPackets,
        extra: { direction: 'c2s' },
      };
      yield {
        ...common,
        src: sIp,
        sport: sPort,
        dst: cIp,
        dport: cPort,
        bytes: sBytes,
        packets: sPackets,
        extra: { direction: 's2c' },
      };
    }
  }
}

interface Outcome {
  records: TrafficRecord[];
  counters: SourceCounters;
  skips: Array<{ line: number; reason: string }>;
}

async function collect(
  read: (file: string, options: TstatRecordOptions) => AsyncIterable<TrafficRecord>,
  file: string,
  protocol: TstatProtocol,
  extra: Partial<TstatRecordOptions> = {},
): Promise<Outcome> {
  const counters = newSourceCounters();
  const skips: Outcome['skips'] = [];
  const records: TrafficRecord[] = [];
  const options = {
    protocol,
    counters,
    onSkip: (skip: { line: number; reason: string }) => skips.push(skip),
    ...extra,
  };
  for await (const record of read(file, options)) records.push(record);
  return { records, counters, skips };
}

async function* flattened(file: string, options: TstatRecordOptions): AsyncGenerator<TrafficRecord> {
  for await (const batch of readTstatRecordBatches(file, options)) yield* batch;
}

async function expectSameAsReference(
  file: string,
  protocol: TstatProtocol,
  extra: Partial<TstatRecordOptions> = {},
): Promise<Outcome> {
  const expected = await collect(referenceRecords, file, protocol, extra);
  expect(await collect(readTstatRecords, file, protocol, extra)).toStrictEqual(expected);
  expect(await collect(flattened, file, protocol, extra)).toStrictEqual(expected);
  return expected;
}

let temp: { path: string; cleanup: () => Promise<void> };
let logs: string[];
beforeAll(async () => {
  temp = await tempDir();
  const [dir] = await generateTstatTree({
    root: temp.path,
    seed: 7,
    directories: 1,
    tcpRows: 1500,
    udpRows: 3000,
    bigFlowShare: 0.05,
    edgeCases: true,
  });
  logs = [join(dir!, 'log_tcp_complete'), join(dir!, 'log_udp_complete')];
});
afterAll(async () => {
  await temp.cleanup();
});

/** Values of the columns records are made of that Number reads in every way (or not at all). */
const ODD_VALUES = [
  '',
  '-',
  '0',
  '-0',
  '007',
  '+12',
  '1e3',
  '1E-7',
  '.5',
  '5.',
  '.',
  '1.5',
  '0x1F',
  '0b11',
  '1_000',
  'Infinity',
  '-Infinity',
  'NaN',
  '9007199254740991',
  '9007199254740992',
  '123456789012345',
  '1234567890123456',
  '1455745800123.456',
  '1591902179768.123456',
  '99999999999999999999999',
  '1.7976931348623157e308',
  '1e400',
  '0.1',
  '0.30000000000000004',
  '４２',
  '"1 2"',
  '"\u00a012\u00a0"',
  '"\t"',
  '"7"',
  '65536',
  '-80',
];

/** A log of `rows` generated rows, then one row per odd value in each column records are made of. */
async function oddLog(protocol: TstatProtocol): Promise<string> {
  const source = protocol === 'tcp' ? logs[0]! : logs[1]!;
  const lines = (await readFile(source, 'utf8')).split('\n');
  const names = protocol === 'tcp' ? TCP_HEADER_NAMES : UDP_HEADER_NAMES;
  const used =
    protocol === 'tcp'
      ? [
          'c_ip',
          's_ip',
          'c_port',
          's_port',
          'c_bytes_uniq',
          's_bytes_uniq',
          'c_pkts_data',
          's_pkts_data',
          'first',
          'last',
        ]
      : [
          'c_ip',
          's_ip',
          'c_port',
          's_port',
          'c_bytes_all',
          's_bytes_all',
          'c_pkts_all',
          's_pkts_all',
          'c_first_abs',
          'c_durat',
        ];
  const out = [lines[0]!];
  const plain = lines[1]!.split(' ');
  for (const name of used) {
    for (const value of [...ODD_VALUES, '10.0.0.1', 'caf\u00e9', '2001:db8::1']) {
      const row = [...plain];
      row[names.indexOf(name)] = value;
      out.push(row.join(' '));
    }
  }
  out.push(plain.join(' ') + '\r', plain.slice(0, -1).join(' '), '', plain.join(' '));
  const file = join(temp.path, `odd-${protocol}`);
  await writeFile(file, out.join('\n'));
  return file;
}

describe('readTstatRecords on row views', () => {
  it.each([
    ['tcp', 0],
    ['udp', 1],
  ] as const)(
    'gives the reference records, counters and warnings for a generated %s log with edge rows',
    async (protocol, index) => {
      const outcome = await expectSameAsReference(logs[index]!, protocol);
      expect(outcome.records.length).toBeGreaterThan(2000);
      expect(outcome.counters.skipped['non-numeric counter']).toBeGreaterThan(0);
      expect(outcome.skips.length).toBeGreaterThan(0);
      await expectSameAsReference(logs[index]!, protocol, { sensor: 'probe-1', chunkBytes: 4096 });
    },
  );

  it.each(['tcp', 'udp'] as const)(
    'reads every odd value of a record column as Number does (%s)',
    async (protocol) => {
      const file = await oddLog(protocol);
      const outcome = await expectSameAsReference(file, protocol);
      expect(outcome.counters.skipped['non-numeric counter']).toBeGreaterThan(10);
      await expectSameAsReference(file, protocol, { chunkBytes: 333 });
    },
  );

  it('reads a log whose header lacks record columns (absent addresses, no numbers)', async () => {
    const file = join(temp.path, 'few-columns');
    await writeFile(file, '#c_ip:1 c_port:2 s_port:3\n10.0.0.1 1 2\n');
    const outcome = await expectSameAsReference(file, 'udp');
    expect(outcome.counters.skipped).toEqual({ 'non-numeric counter': 1 });
    await writeFile(
      file,
      '#c_port:1 s_port:2 c_first_abs:3 c_durat:4 c_bytes_all:5 c_pkts_all:6 s_bytes_all:7 s_pkts_all:8\n1 2 3 4 5 6 7 8\n',
    );
    expect((await expectSameAsReference(file, 'udp')).records).toHaveLength(2);
  });

  it('skips and counts a row with a port outside 0..65535', async () => {
    const file = join(temp.path, 'ports');
    const header =
      '#c_ip:1 c_port:2 c_first_abs:3 c_durat:4 c_bytes_all:5 c_pkts_all:6 s_ip:7 s_port:8 s_bytes_all:9 s_pkts_all:10\n';
    const row = (cPort: string, sPort: string) => `10.0.0.1 ${cPort} 5000 1 10 1 10.0.0.2 ${sPort} 20 2\n`;
    await writeFile(
      file,
      header + row('-1', '53') + row('1000', '65536') + row('1e20', '53') + row('0', '65535'),
    );
    const outcome = await expectSameAsReference(file, 'udp');
    expect(outcome.counters).toEqual({ read: 4, decoded: 1, skipped: { 'port out of range': 3 } });
    expect(outcome.records.map((record) => [record.sport, record.dport])).toEqual([
      [0, 65535],
      [65535, 0],
    ]);
  });

  it('skips and counts a row whose end is before its start (TCP last < first, UDP negative duration)', async () => {
    const tcp = join(temp.path, 'backwards-tcp');
    await writeFile(
      tcp,
      '#c_ip:1 c_port:2 s_ip:3 s_port:4 c_bytes_uniq:5 c_pkts_data:6 s_bytes_uniq:7 s_pkts_data:8 first:9 last:10\n' +
        '10.0.0.1 1000 10.0.0.2 80 10 1 20 2 5000.5 4000.5\n' +
        '10.0.0.1 1001 10.0.0.2 80 10 1 20 2 5000.5 5000.5\n',
    );
    const tcpOutcome = await expectSameAsReference(tcp, 'tcp');
    expect(tcpOutcome.counters).toEqual({ read: 2, decoded: 1, skipped: { 'end before start': 1 } });
    expect(tcpOutcome.records.map((record) => [record.sport, record.start, record.end])).toEqual([
      [1001, 5.0005, 5.0005],
      [80, 5.0005, 5.0005],
    ]);
    const udp = join(temp.path, 'backwards-udp');
    await writeFile(
      udp,
      '#c_ip:1 c_port:2 c_first_abs:3 c_durat:4 c_bytes_all:5 c_pkts_all:6 s_ip:7 s_port:8 s_bytes_all:9 s_pkts_all:10\n' +
        '10.0.0.1 1000 5000 -1 10 1 10.0.0.2 53 20 2\n',
    );
    const udpOutcome = await expectSameAsReference(udp, 'udp');
    expect(udpOutcome.counters).toEqual({ read: 1, decoded: 0, skipped: { 'end before start': 1 } });
    expect(udpOutcome.records).toEqual([]);
  });
});
