import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENSOR_DEFAULTS } from '../../src/sensor/config.js';
import { Sensor } from '../../src/sensor/sensor.js';
import { readStatusFile } from '../../src/sources/sniffer/read.js';
import { LINK, buildIpPacket, fragmentIPv4, linkFrame, pcapFile, withIPv4Options } from '../gen/capture.js';
import { buildEthernetFrame, type PacketSpec } from '../gen/packets.js';
import { runNetledger } from '../support/cli.js';
import { startDnsServer } from '../support/dns-server.js';

const ME = '192.0.2.53';
const S0 = 1145923212;
const directory = mkdtempSync(join(tmpdir(), 'netledger-sensor-'));
let dns: Awaited<ReturnType<typeof startDnsServer>>;

beforeAll(async () => {
  dns = await startDnsServer({
    answers: { '7.100.51.198.in-addr.arpa': { names: ['a.example.com'], ttl: 600 } },
    soa: { mname: 'ns.example.net', ttl: 900 },
  });
});
afterAll(() => {
  dns.close();
  rmSync(directory, { recursive: true, force: true });
});

const query = (time: number, payload = 20): PacketSpec => ({
  time,
  src: '198.51.100.7',
  dst: ME,
  proto: 17,
  sport: 1000,
  dport: 53,
  payload,
});

/** A capture whose every counter is derived by hand in the test below. */
function capture(): Buffer {
  const frames = [
    ...[0, 10, 20, 30, 40].map((offset) => ({
      time: S0 + offset,
      frame: buildEthernetFrame(query(S0 + offset)),
    })), // 62 bytes each
    { time: S0 + 50, frame: buildEthernetFrame({ ...query(S0 + 50, 10), src: '198.51.100.9' }) }, // 52 < snaplen 60: dropped
    { time: S0 + 60, frame: linkFrame(LINK.ETHERNET, withIPv4Options(buildIpPacket(query(S0 + 60)), 4)) }, // IP options: dropped
    ...fragmentIPv4(buildIpPacket(query(S0 + 70, 200)), 64)
      .slice(1)
      .map((fragment) => ({ time: S0 + 70, frame: linkFrame(LINK.ETHERNET, fragment) })), // later fragments: dropped
    { time: S0 + 80, frame: buildEthernetFrame({ ...query(S0 + 80), src: '10.9.9.9', dst: '10.9.9.8' }) }, // not the BPF
    { time: S0 + 100, frame: buildEthernetFrame({ ...query(S0 + 100, 50), src: ME, dst: '203.0.113.5' }) }, // 92 bytes
    { time: S0 + 400, frame: buildEthernetFrame(query(S0 + 400)) }, // folds .7: 400 s after S
  ];
  return pcapFile(frames);
}

const EXPECTED = `
# Net::Connection::Sniffer version 0.36
# start:\t${S0},\tTue Apr 25 00:00:12 2006
# current:\t${S0 + 400},\tTue Apr 25 00:06:52 2006
# hits:\t\t1 per minute
# bytes:\t1 per second
# users:\t2
# device:\tPCAP\tnon-promiscuous
# bpf:\t\thost ${ME}
{
  my $dump = {
\t'198.51.100.7'\t=> {
\t\tB\t=> 62,
\t\tC\t=> 1,
\t\tE\t=> ${S0 + 400},
\t\tN\t=> ['a.example.com',],
\t\tR\t=> 45,
\t\tS\t=> ${S0},
\t\tT\t=> ${S0 + 400 + 600},
\t\tW\t=> 2790,
\t},
\t'203.0.113.5'\t=> {
\t\tB\t=> 92,
\t\tC\t=> 1,
\t\tE\t=> ${S0 + 100},
\t\tN\t=> [':ns.example.net',],
\t\tR\t=> 0,
\t\tS\t=> ${S0},
\t\tT\t=> ${S0 + 400 + 900},
\t\tW\t=> 0,
\t},
  };
}
`;

describe('sensor on a replayed capture', () => {
  it('writes the status file byte for byte (counting rules, folds, PTR names with TTLs, header rates)', async () => {
    const pcap = join(directory, 'replay.pcap');
    writeFileSync(pcap, capture());
    const result = await runNetledger([
      'sensor',
      '--read',
      pcap,
      '--bpf',
      `host ${ME}`,
      '--snaplen',
      '60',
      '--sniffer',
      directory,
      '--name',
      'replay',
      '--dns',
      `127.0.0.1:${dns.port}`,
      '--utc',
      '-v',
    ]);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(
      '"packets":13,"counted":7,"notIPv4":0,"ipOptions":1,"fragments":3,"shorterThanSnaplen":1,"payloadRule":0,"filtered":1',
    );
    // Global: 6 packets (402 bytes) before the fold at +400 s: rate = 6 * 3600/400 = 54 (0.9/min → 1),
    // bw = 402 * 9 = 3618 (1.005/s → 1). Entry .7: 5 packets at S, fold at +400: R = 5*9, W = 310*9.
    expect(readFileSync(join(directory, 'replay.stats'), 'utf8')).toBe(EXPECTED.replace('PCAP', pcap));
    const status = await readStatusFile(join(directory, 'replay.stats'));
    expect(status.entries.map((entry) => entry.ip)).toEqual(['198.51.100.7', '203.0.113.5']);
  });

  it('answers UDP dump requests from allowed senders only, and ?? to other text', async () => {
    const pcap = join(directory, 'control.pcap');
    writeFileSync(pcap, capture());
    const sensor = new Sensor({
      config: {
        ...SENSOR_DEFAULTS,
        bpf: `host ${ME}`,
        sniffer: directory,
        name: 'control',
        port: 0,
        dns: [],
        allowed: ['127.0.0.1'],
      },
      read: pcap,
      utc: true,
    });
    // Port 0 means "no listener" in the config; bind a free port the test can find.
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = probe.address().port;
    probe.close();
    (sensor as unknown as { config: { port: number } }).config.port = port;
    await sensor.open();
    await sensor.run();
    const ask = async (text: string, from: string): Promise<string | undefined> => {
      const socket = createSocket('udp4');
      await new Promise<void>((resolve) => socket.bind(0, from, resolve));
      const reply = new Promise<string | undefined>((resolve) => {
        socket.once('message', (message) => resolve(message.toString()));
        setTimeout(() => resolve(undefined), 500);
      });
      socket.send(text, port, '127.0.0.1');
      const answer = await reply;
      socket.close();
      return answer;
    };
    expect(await ask('dump', '127.0.0.1')).toBe(`OK ${S0 + 400}`);
    const written = readFileSync(join(directory, 'control.stats'), 'utf8');
    expect(written).toContain(
      `\t'198.51.100.7'\t=> {\n\t\tB\t=> 62,\n\t\tC\t=> 1,\n\t\tE\t=> ${S0 + 400},\n\t\tN\t=> [],`,
    );
    expect(await ask('status please', '127.0.0.1')).toBe('??');
    expect(await ask('dump', '127.0.0.2')).toBeUndefined();
    expect(sensor.counters.refusedRequests).toBe(1);
    expect(sensor.counters.dumps).toBe(1);
    sensor.close();
  });
});
