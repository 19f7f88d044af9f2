import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../model/errors.js';
import { LINK, frameFor, pcapFile, pcapngSection } from '../../../test/gen/capture.js';
import type { PacketSpec } from '../../../test/gen/packets.js';
import { readCapture, type Frame } from './frames.js';

const specs: PacketSpec[] = [
  {
    time: 1700000000.25,
    src: '192.0.2.1',
    dst: '198.51.100.2',
    proto: 17,
    sport: 53,
    dport: 4000,
    payload: 10,
  },
  {
    time: 1700000001.5,
    src: '198.51.100.2',
    dst: '192.0.2.1',
    proto: 6,
    sport: 80,
    dport: 5000,
    payload: 100,
  },
  { time: 1700000002.75, src: '2001:db8::1', dst: '2001:db8::2', proto: 58, payload: 4 },
];
const frames = specs.map((spec) => ({ time: spec.time, frame: frameFor(LINK.ETHERNET, spec) }));

interface Seen {
  time: number;
  linkType: number;
  interfaceId: number;
  captured: number;
  wire: number;
  firstByte: number;
}

function stream(buffer: Buffer, chunk = 7): PassThrough {
  const through = new PassThrough();
  (async () => {
    for (let i = 0; i < buffer.length; i += chunk) {
      through.write(buffer.subarray(i, i + chunk));
      await new Promise((resolve) => setImmediate(resolve));
    }
    through.end();
  })();
  return through;
}

async function collect(buffer: Buffer, options: { skipBad?: boolean; chunk?: number } = {}) {
  const seen: Seen[] = [];
  const summary = await readCapture(
    stream(buffer, options.chunk),
    (frame: Frame) =>
      seen.push({
        time: frame.time,
        linkType: frame.linkType,
        interfaceId: frame.interfaceId,
        captured: frame.capturedLength,
        wire: frame.wireLength,
        firstByte: frame.data[frame.offset]!,
      }),
    { name: 'test.pcap', skipBad: options.skipBad ?? false },
  );
  return { seen, summary };
}

async function failure(buffer: Buffer): Promise<string> {
  try {
    await collect(buffer);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return (error as ParseError).describe();
  }
  throw new Error('expected a ParseError');
}

describe('classic pcap', () => {
  for (const littleEndian of [true, false]) {
    for (const nanoseconds of [false, true]) {
      it(`reads ${littleEndian ? 'little' : 'big'}-endian ${nanoseconds ? 'nanosecond' : 'microsecond'} files from a stream`, async () => {
        const { seen, summary } = await collect(pcapFile(frames, { littleEndian, nanoseconds }));
        expect(seen.map((s) => [s.time, s.captured, s.wire])).toEqual([
          [1700000000.25, 52, 52],
          [1700000001.5, 154, 154],
          [1700000002.75, 66, 66],
        ]);
        expect(summary).toMatchObject({ format: 'pcap', read: 3, skippedBytes: 0, linkTypes: [1] });
      });
    }
  }

  it('keeps the wire length of records cut by the snaplen', async () => {
    const { seen } = await collect(pcapFile(frames, { snaplen: 38 }));
    expect(seen.map((s) => [s.captured, s.wire])).toEqual([
      [38, 52],
      [38, 154],
      [38, 66],
    ]);
  });

  it('reads an empty input as no packets', async () => {
    const { seen, summary } = await collect(Buffer.alloc(0));
    expect(seen).toEqual([]);
    expect(summary.format).toBe('empty');
  });
});

describe('pcapng', () => {
  for (const littleEndian of [true, false]) {
    it(`reads ${littleEndian ? 'little' : 'big'}-endian sections with several interfaces, tsresol and EPB/SPB/OPB`, async () => {
      const ip = frameFor(LINK.RAW, specs[0]!);
      const file = pcapngSection(
        [
          { linkType: LINK.ETHERNET },
          { linkType: LINK.RAW, tsresol: 9 },
          { linkType: LINK.SLL2, snaplen: 30 },
        ],
        [
          { time: 1700000000.5, frame: frames[0]!.frame, interfaceId: 0 },
          { time: 1700000001.25, frame: ip, interfaceId: 1 },
          { time: 1700000002, frame: frameFor(LINK.SLL2, specs[1]!), interfaceId: 2 },
          { time: 1700000003, frame: frames[1]!.frame, interfaceId: 0, kind: 'opb' },
          { time: 0, frame: frames[2]!.frame, kind: 'spb' },
        ],
        littleEndian,
      );
      const { seen, summary } = await collect(file);
      expect(seen.map((s) => [s.time, s.linkType, s.interfaceId, s.captured, s.wire])).toEqual([
        [1700000000.5, 1, 0, 52, 52],
        [1700000001.25, 101, 1, 38, 38],
        [1700000002, 276, 2, 30, 160],
        [1700000003, 1, 0, 154, 154],
        [1700000003, 1, 0, 66, 66], // SPB: no timestamp of its own
      ]);
      expect(summary).toMatchObject({ format: 'pcapng', read: 5, linkTypes: [1, 101, 276] });
    });
  }

  it('starts over with the interfaces of a new section in the other byte order', async () => {
    const file = Buffer.concat([
      pcapngSection([{ linkType: LINK.ETHERNET }], [{ time: 1, frame: frames[0]!.frame }], true),
      pcapngSection([{ linkType: LINK.RAW }], [{ time: 2, frame: frameFor(LINK.RAW, specs[1]!) }], false),
    ]);
    const { seen } = await collect(file, { chunk: 5 });
    expect(seen.map((s) => [s.time, s.linkType, s.firstByte])).toEqual([
      [1, 1, 0x02],
      [2, 101, 0x45],
    ]);
  });
});

describe('corrupt input', () => {
  const good = pcapFile(frames);
  // Record offsets: header 24; records of 16 + 52, 16 + 154, 16 + 66 bytes.
  const second = 24 + 16 + 52;
  const third = second + 16 + 154;

  it('names a bad magic', async () => {
    expect(await failure(Buffer.from('hello, world, this is text'))).toBe(
      'bad magic 0x68656c6c: not a pcap or pcapng file (test.pcap: byte offset 0)',
    );
  });

  it('names an absurd snaplen', async () => {
    const file = Buffer.from(good);
    file.writeUInt32LE(0x7fffffff, 16);
    expect(await failure(file)).toBe(
      'absurd snaplen 2147483647 in the pcap file header (at most 16777216) (test.pcap: byte offset 16)',
    );
  });

  it('names a record that runs past the end of the input', async () => {
    expect(await failure(good.subarray(0, good.length - 10))).toBe(
      `record: captured length 66 runs past the end of the input (56 bytes left) (test.pcap: byte offset ${third})`,
    );
  });

  it('names a captured length above the maximum, and resynchronises with skipBad', async () => {
    const file = Buffer.from(good);
    file.writeUInt32LE(300000, second + 8);
    expect(await failure(file)).toBe(
      `record header: captured length 300000 larger than the maximum 262144 (test.pcap: byte offset ${second})`,
    );
    const { seen, summary } = await collect(file, { skipBad: true });
    expect(seen.map((s) => s.wire)).toEqual([52, 66]);
    expect(summary.skipped).toEqual({ 'corrupt-record': 1 });
    expect(summary.skippedBytes).toBe(16 + 154);
  });

  it('counts a truncated last record with skipBad', async () => {
    const { seen, summary } = await collect(good.subarray(0, good.length - 10), { skipBad: true });
    expect(seen.length).toBe(2);
    expect(summary.skipped).toEqual({ 'truncated-record': 1 });
    expect(summary.skippedBytes).toBe(16 + 56);
  });

  it('names a pcapng block whose trailing length disagrees, and skips it with skipBad', async () => {
    const file = pcapngSection(
      [{ linkType: LINK.ETHERNET }],
      frames.map((f) => ({ ...f })),
    );
    // SHB 28 bytes, IDB 24 bytes, then EPBs of 32 + padded frame length.
    const secondBlock = 28 + 24 + 32 + 52;
    const length = file.readUInt32LE(secondBlock + 4);
    file.writeUInt32LE(12345, secondBlock + length - 4);
    expect(await failure(file)).toBe(
      `pcapng block: trailing length 12345 differs from the leading length 188 (test.pcap: byte offset ${secondBlock})`,
    );
    const { seen, summary } = await collect(file, { skipBad: true });
    expect(seen.map((s) => s.wire)).toEqual([52, 66]);
    expect(summary.skippedBytes).toBe(188);
  });

  it('names a packet on an undeclared pcapng interface', async () => {
    const file = pcapngSection([{ linkType: LINK.ETHERNET }], [{ ...frames[0]!, interfaceId: 3 }]);
    expect(await failure(file)).toBe(
      'pcapng packet block: undeclared interface 3 (test.pcap: byte offset 52)',
    );
  });
});
