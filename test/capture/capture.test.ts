import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LINK, fragmentIPv4, buildIpPacket, linkFrame, pcapFile, pcapngSection } from '../gen/capture.js';
import { buildEthernetFrame, buildPcap, type PacketSpec } from '../gen/packets.js';
import { HostGroundTruth, trafficSpecs } from '../gen/traffic.js';

const directory = mkdtempSync(join(tmpdir(), 'netledger-capture-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function netledger(args: string[], input?: Buffer) {
  const result = spawnSync(process.execPath, ['bin/netledger.js', ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const small: PacketSpec[] = [
  { time: 1700000000, src: '192.0.2.1', dst: '198.51.100.2', proto: 17, sport: 53, dport: 4000, payload: 10 },
  {
    time: 1700000001,
    src: '198.51.100.2',
    dst: '192.0.2.1',
    proto: 17,
    sport: 4000,
    dport: 53,
    payload: 30,
    vlans: [7],
  },
  { time: 1700000002, src: '192.0.2.1', dst: '203.0.113.9', proto: 6, sport: 80, dport: 6000, payload: 0 },
];

describe('netledger capture', () => {
  it('accounts a small capture per host, hand-derived (52, 76 and 54 wire bytes)', () => {
    const file = join(directory, 'small.pcap');
    writeFileSync(file, buildPcap(small));
    const result = netledger(['capture', '-r', file]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'host          packets  bytes',
        '192.0.2.1           3    182',
        '198.51.100.2        2    128',
        '203.0.113.9         1     54',
        'total               3    182',
        '',
      ].join('\n'),
    );
  });

  it('reads stdin, groups by /24 and counts IP bytes as CSV', () => {
    const result = netledger(
      ['capture', '-r', '-', '--by', 'cidr24', '--bytes', 'ip', '--format', 'csv'],
      buildPcap(small),
    );
    expect(result.stdout).toBe(
      'network,packets,bytes\r\n192.0.2.0/24,3,136\r\n198.51.100.0/24,2,96\r\n203.0.113.0/24,1,40\r\n',
    );
  });

  it('counts every IPv4 fragment, ports from the first only (--by port)', () => {
    const ip = buildIpPacket({
      time: 0,
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 17,
      sport: 5,
      dport: 6,
      payload: 100,
    });
    const frames = fragmentIPv4(ip, 48).map((fragment, index) => ({
      time: 1 + index,
      frame: linkFrame(LINK.RAW, fragment),
    }));
    const file = join(directory, 'fragments.pcap');
    writeFileSync(file, pcapFile(frames, { linkType: LINK.RAW }));
    const result = netledger(['capture', '-r', file, '--by', 'port', '--format', 'ndjson']);
    expect(result.stdout).toBe(
      '{"key":"other","packets":2,"bytes":100}\n{"key":"udp/5","packets":1,"bytes":68}\n{"key":"udp/6","packets":1,"bytes":68}\n',
    );
  });

  it('matches the generator ground truth on a seeded capture (pcapng, two interfaces)', () => {
    const truth = new HostGroundTruth('wire');
    const specs = [...trafficSpecs(7, 3000, { hosts: 200, flows: 400 })];
    for (const spec of specs) truth.add(spec);
    const file = join(directory, 'seeded.pcapng');
    writeFileSync(
      file,
      pcapngSection(
        [{ linkType: LINK.ETHERNET }, { linkType: LINK.ETHERNET, tsresol: 9 }],
        specs.map((spec, index) => ({
          time: spec.time,
          frame: buildEthernetFrame(spec),
          interfaceId: index % 2,
        })),
      ),
    );
    const result = netledger(['capture', '-r', file, '--format', 'json']);
    const output = JSON.parse(result.stdout) as {
      totals: { packets: number; bytes: number };
      rows: Array<{ key: string; packets: number; bytes: number }>;
    };
    expect(output.totals).toEqual({ packets: truth.packets, bytes: truth.bytes });
    const expected = Object.fromEntries([...truth.hosts].map(([host, totals]) => [host, totals]));
    const actual = Object.fromEntries(
      output.rows.map((row) => [row.key, { packets: row.packets, bytes: row.bytes }]),
    );
    expect(actual).toEqual(expected);
  });

  it('filters with a real BPF program: same packets as tcpdump -r with the same expression', () => {
    const specs = [...trafficSpecs(11, 2000, { hosts: 50, flows: 100 })];
    const file = join(directory, 'bpf.pcap');
    writeFileSync(file, buildPcap(specs));
    for (const expression of ['udp', 'vlan and tcp port 80', 'ip6 or (vlan and ip6 and greater 200)']) {
      const tcpdump = spawnSync('tcpdump', ['-nn', '-r', file, expression], { encoding: 'utf8' });
      const expectedPackets = tcpdump.stdout.split('\n').filter((line) => line !== '').length;
      const result = netledger([
        'capture',
        '-r',
        file,
        '--by',
        'proto',
        '--bpf',
        expression,
        '--format',
        'json',
      ]);
      const output = JSON.parse(result.stdout) as {
        totals: { packets: number };
        counters: { filtered: number };
      };
      expect([expression, output.totals.packets]).toEqual([expression, expectedPackets]);
      expect(output.totals.packets + output.counters.filtered).toBe(2000);
    }
    // Hand check: only the UDP packets of the small capture, untagged (BPF "udp" does not look inside VLAN tags).
    const smallFile = join(directory, 'small-bpf.pcap');
    writeFileSync(smallFile, buildPcap(small));
    expect(netledger(['capture', '-r', smallFile, '--bpf', 'udp', '--format', 'csv']).stdout).toBe(
      'host,packets,bytes\r\n192.0.2.1,1,52\r\n198.51.100.2,1,52\r\n',
    );
  });

  it('fails on corrupt input with the byte offset, and --skip-bad counts what it skipped', () => {
    const file = join(directory, 'corrupt.pcap');
    const bytes = buildPcap(small);
    bytes.writeUInt32LE(999999, 24 + 16 + 52 + 8);
    writeFileSync(file, bytes);
    const failed = netledger(['capture', '-r', file]);
    expect([failed.status, failed.stdout, failed.stderr]).toEqual([
      65,
      '',
      `netledger: record header: captured length 999999 larger than the maximum 262144 (${file}: byte offset 92)\n`,
    ]);
    const skipped = netledger(['capture', '-r', file, '--skip-bad', '--format', 'json']);
    const output = JSON.parse(skipped.stdout) as { totals: unknown; counters: unknown };
    expect(output.totals).toEqual({ packets: 2, bytes: 106 });
    expect(output.counters).toEqual({
      format: 'pcap',
      records: 2,
      decoded: 2,
      filtered: 0,
      skipped: { 'corrupt-record': 1 },
      skippedBytes: 92,
    });
  });

  it('rejects a bad --by and a bad BPF expression in one line', () => {
    expect(netledger(['capture', '-r', '-', '--by', 'colour'], Buffer.alloc(0)).stderr).toBe(
      'netledger: --by colour: expected host, src, dst, cidr24, cidr/N[,M], mac, port, proto or flow\n',
    );
    const file = join(directory, 'small2.pcap');
    writeFileSync(file, buildPcap(small));
    expect(netledger(['capture', '-r', file, '--bpf', 'udp port']).stderr).toBe(
      'netledger: --bpf: bad filter expression "udp port": can\'t parse filter expression: syntax error\n',
    );
  });
});
