import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TstatProtocol } from '../sources/tstat.js';
import { TstatLineSplitter, mapTstatColumns, tstatRowView } from '../sources/tstat.js';
import { JsonSliceWriter } from './json-slices.js';
import { TstatJsonRenderer } from './tstat-json.js';

const UDP_HEADER =
  '#c_ip:1 c_port:2 c_first_abs:3 c_durat:4 c_bytes_all:5 c_pkts_all:6 c_isint:7 c_iscrypto:8 c_type:9 ' +
  's_ip:10 s_port:11 s_first_abs:12 s_durat:13 s_bytes_all:14 s_pkts_all:15 s_isint:16 s_iscrypto:17 s_type:18 fqdn:19';
const UDP_LINE =
  '10.0.0.5 40000 1455745800000.000 120000.000 150000000 120000 1 0 0 192.0.2.9 5001 1455745800010.500 119990.000 2000 40 0 0 0 -';

/** Renders `lines` (header first): each object alone, and all of them as one slice, as the original prints it. */
function render(
  protocol: TstatProtocol,
  lines: string[],
  thresholdMB: number,
  instanceId: string | number = 0,
) {
  const splitter = new TstatLineSplitter();
  const [header, ...rows] = lines.map((line) => splitter.push(line) ?? []);
  const renderer = new TstatJsonRenderer({ thresholdMB, sensorId: 'sensor1.example.net', instanceId });
  renderer.bind(protocol, mapTstatColumns(header ?? []));
  const single = new JsonSliceWriter(1);
  const all = new JsonSliceWriter(1_000_000);
  const dropped: string[] = [];
  rows.forEach((fields, index) => {
    const row = tstatRowView(fields, index + 2);
    renderer.render(row, single);
    renderer.render(row, all);
    dropped.push(...renderer.dropped);
  });
  // A slice of one object is `[\n` + the object + `\n]`.
  const objects = single.takeFinished().map(({ body }) => body.toString('latin1').slice(2, -2));
  all.flush();
  const text = all.takeFinished()[0]?.body.toString('latin1') ?? '[]';
  return { objects, text, dropped };
}

const UDP_CLIENT_OBJECT = `    {
        "type": "flow",
        "interval": 600,
        "values": {
            "duration": 120.0,
            "num_bits": 1200000000,
            "num_packets": 120000,
            "bits_per_second": 10000000.0,
            "packets_per_second": 1000.0
        },
        "meta": {
            "src_ip": "10.0.0.5",
            "src_port": 40000,
            "dst_ip": "192.0.2.9",
            "dst_port": 5001,
            "protocol": "udp",
            "sensor_id": "sensor1.example.net",
            "instance_id": 0,
            "flow_type": "tstat"
        },
        "start": 1455745800,
        "end": 1455745920
    }`;

describe('formats.md 3.7 examples', () => {
  it('udp, --threshold 100: exactly one object, the client direction', () => {
    const { objects, text } = render('udp', [UDP_HEADER, UDP_LINE], 100);
    expect(objects).toHaveLength(1);
    expect(text).toBe(`[\n${UDP_CLIENT_OBJECT}\n]`);
  });

  it('udp, --threshold 0: the server direction second', () => {
    const { objects } = render('udp', [UDP_HEADER, UDP_LINE], 0);
    expect(objects).toHaveLength(2);
    expect(objects[0]).toBe(UDP_CLIENT_OBJECT);
    const second = JSON.parse(objects[1]!);
    expect(second.values).toEqual({
      duration: 119.99,
      num_bits: 16000,
      num_packets: 40,
      bits_per_second: 133.34,
      packets_per_second: 0.33,
    });
    expect(second.meta).toMatchObject({
      src_ip: '192.0.2.9',
      src_port: 5001,
      dst_ip: '10.0.0.5',
      dst_port: 40000,
    });
    expect([second.start, second.end]).toEqual([1455745800, 1455745919]);
  });

  it('udp, default threshold (1000 MB = 8e9 bits): nothing', () => {
    expect(render('udp', [UDP_HEADER, UDP_LINE], 1000).objects).toEqual([]);
  });

  it('tcp repo test line, --threshold 0: both directions exactly as the original printed them', () => {
    const lines = readFileSync(
      new URL('../../test/tstat/fixtures/formats-3.7-log_tcp_complete', import.meta.url),
      'utf8',
    )
      .trimEnd()
      .split('\n');
    const expected = readFileSync(
      new URL('../../test/tstat/fixtures/formats-3.7-tcp.out.txt', import.meta.url),
      'utf8',
    );
    const { text } = render('tcp', lines, 0);
    expect(`${text}\n`).toBe(expected);
    const [inbound, outbound] = JSON.parse(text);
    expect(inbound.values).toMatchObject({
      duration: 90.04,
      num_bits: 5928,
      bits_per_second: 65.84,
      tcp_mss: 1460,
    });
    expect(outbound.values).toMatchObject({ num_bits: 34368, bits_per_second: 381.71, tcp_rtt_avg: 0.187 });
    expect(outbound.meta).toMatchObject({ src_ip: '35.241.23.245', dst_port: 36868 });
  });
});

describe('threshold and instance id', () => {
  it('keeps a direction at exactly threshold × 8,000,000 bits', () => {
    // 150,000,000 bytes = 1.2e9 bits = 150 MB × 8e6.
    expect(render('udp', [UDP_HEADER, UDP_LINE], 150).objects).toHaveLength(1);
    expect(render('udp', [UDP_HEADER, UDP_LINE], 151).objects).toHaveLength(0);
  });

  it('an --instance given on the command line is a string, the default the integer 0', () => {
    expect(render('udp', [UDP_HEADER, UDP_LINE], 100, '2').text).toContain('"instance_id": "2",');
    expect(render('udp', [UDP_HEADER, UDP_LINE], 100).text).toContain('"instance_id": 0,');
  });
});

describe('values the original does not expect', () => {
  const udp = (line: string) => render('udp', [UDP_HEADER, line], 0);

  it('a zero duration gives the int 0 rates and lets a "-" packet count through as a string', () => {
    const { objects } = udp(
      '10.0.0.5 40000 1455745800000.000 0.000 100 - 1 0 0 192.0.2.9 53 1455745800000.000 0 10 1 0 0 0 -',
    );
    const first = JSON.parse(objects[0]!);
    expect(objects[0]).toContain('"bits_per_second": 0,');
    expect(first.values.num_packets).toBe('-');
    expect(first.values.duration).toBe(0);
  });

  it('"-" where a number is divided drops that direction (TypeError) and says why', () => {
    const { objects, dropped } = udp(
      '10.0.0.5 40000 1455745800000.000 5.000 100 - 1 0 0 192.0.2.9 53 1455745800000.000 5.000 10 1 0 0 0 -',
    );
    expect(objects).toHaveLength(1);
    expect(objects[0]).toContain('"src_ip": "192.0.2.9"');
    expect(dropped).toEqual(['non-numeric value']);
  });

  it('a missing column is null where passed through and drops the direction where computed', () => {
    const header =
      '#c_ip:1 c_port:2 c_first_abs:3 c_durat:4 c_bytes_all:5 s_ip:6 s_port:7 s_first_abs:8 s_durat:9 s_bytes_all:10';
    const { objects, dropped } = render('udp', [header, '10.0.0.5 1 1000 0 800 10.0.0.6 2 1000 5 8'], 0);
    // c_: no packets column but a zero duration → num_packets null; s_: pkts/seconds → TypeError.
    expect(objects).toHaveLength(1);
    expect(objects[0]).toContain('"num_packets": null,');
    expect(dropped).toEqual(['non-numeric value']);
  });

  it('IPv6 addresses stay strings; ports with leading zeros become ints', () => {
    const { objects } = udp(
      '2001:db8::1 0053 1455745800000.000 1000.000 100 1 1 0 0 2001:db8::2 53 1455745800000.000 1000.000 10 1 0 0 0 -',
    );
    expect(JSON.parse(objects[0]!).meta).toMatchObject({
      src_ip: '2001:db8::1',
      src_port: 53,
      dst_ip: '2001:db8::2',
    });
  });

  it('a text "-" packets with zero duration but text bytes: dropped, the original would crash', () => {
    const { objects, dropped } = udp('10.0.0.5 1 1000 0 - 1 1 0 0 10.0.0.6 2 1000 0 8 1 0 0 0 -');
    expect(objects).toHaveLength(1);
    expect(dropped).toEqual(['non-numeric bytes']);
  });
});
