import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmptyInputError, MissingToolError, ParseError } from '../../src/model/errors.js';
import { formatMac } from '../../src/model/mac.js';
import {
  argusRecords,
  formatDst,
  formatEpochMicros,
  formatSrc,
  readArgusNative,
  readArgusViaRa,
  type ArgusFlow,
} from '../../src/sources/argus/index.js';
import { makeArgusFixture, twoPacketUdp, type ArgusFixture } from './fixtures.js';

function row(flow: ArgusFlow): string {
  return [
    formatEpochMicros(flow.startUs),
    formatEpochMicros(flow.endUs),
    formatSrc(flow),
    formatDst(flow),
    flow.proto,
    flow.sport,
    flow.dport,
    formatMac(flow.smac),
    formatMac(flow.dmac),
    flow.spkts,
    flow.dpkts,
    flow.sbytes,
    flow.dbytes,
    flow.sappbytes,
    flow.dappbytes,
  ].join(',');
}

let fixture: ArgusFixture;
let udp2: string;

beforeAll(() => {
  fixture = makeArgusFixture({ seed: 11, flows: 250 });
  udp2 = twoPacketUdp(fixture.dir);
});
afterAll(() => fixture.cleanup());

describe('argus readers', () => {
  it('the native reader agrees with ra field by field (IPv4, IPv6, TCP, UDP, ICMP, VLAN, status records)', async () => {
    const native: string[] = [];
    const viaRa: string[] = [];
    const nativeCounters = await readArgusNative(fixture.argusFile, (flow) => native.push(row(flow)));
    const raCounters = await readArgusViaRa(fixture.argusFile, (flow) => viaRa.push(row(flow)));
    expect(native.length).toBeGreaterThan(250); // long flows have several status records
    expect(native).toEqual(viaRa);
    expect(nativeCounters).toEqual(raCounters);
    expect(nativeCounters.skipped).toEqual({});
  });

  it('reads the formats.md 4.3 example exactly', async () => {
    const rows: string[] = [];
    await readArgusNative(udp2, (flow) => rows.push(row(flow)));
    expect(rows).toEqual([
      '1455745800.000000,1455745800.250000,10.0.0.5,192.0.2.9,17,40000,53,00:11:22:33:44:55,66:77:88:99:aa:bb,1,1,72,142,30,100',
    ]);
  });

  it('per MAC, frames and app bytes sent equal the capture (ground truth)', async () => {
    const sent = new Map<string, { packets: number; frames: number; app: number }>();
    const add = (mac: number, packets: number, frames: number, app: number) => {
      const key = formatMac(mac);
      const entry = sent.get(key) ?? { packets: 0, frames: 0, app: 0 };
      entry.packets += packets;
      entry.frames += frames;
      entry.app += app;
      sent.set(key, entry);
    };
    await readArgusNative(fixture.argusFile, (flow) => {
      add(flow.smac, flow.spkts, flow.sbytes, flow.sappbytes);
      add(flow.dmac, flow.dpkts, flow.dbytes, flow.dappbytes);
    });
    const truth = new Map<string, { packets: number; frames: number; app: number }>();
    for (const packet of fixture.scenario.packets) {
      const entry = truth.get(packet.srcMac!) ?? { packets: 0, frames: 0, app: 0 };
      entry.packets++;
      entry.frames += packet.frameBytes;
      entry.app += packet.appBytes;
      truth.set(packet.srcMac!, entry);
    }
    for (const [mac, entry] of sent) if (entry.packets === 0) sent.delete(mac);
    expect(Object.fromEntries(sent)).toEqual(Object.fromEntries(truth));
  });

  it('argusRecords yields one common record per direction that carried packets', async () => {
    const records = [];
    for await (const record of argusRecords(udp2)) records.push(record);
    expect(records).toEqual([
      {
        start: 1455745800,
        end: 1455745800.25,
        src: '10.0.0.5',
        dst: '192.0.2.9',
        sport: 40000,
        dport: 53,
        proto: 'udp',
        srcMac: '00:11:22:33:44:55',
        dstMac: '66:77:88:99:aa:bb',
        packets: 1,
        bytes: 72,
        extra: { appBytes: 30 },
      },
      {
        start: 1455745800,
        end: 1455745800.25,
        src: '192.0.2.9',
        dst: '10.0.0.5',
        sport: 53,
        dport: 40000,
        proto: 'udp',
        srcMac: '66:77:88:99:aa:bb',
        dstMac: '00:11:22:33:44:55',
        packets: 1,
        bytes: 142,
        extra: { appBytes: 100 },
      },
    ]);
  });
});

describe('argus readers on bad input', () => {
  const expectParseError = async (file: string, message: string, offset: number) => {
    const error = await readArgusNative(file, () => undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toBe(message);
    expect((error as ParseError).position).toEqual({ file, offset });
  };

  it('refuses a file that is not argus', async () => {
    const file = join(fixture.dir, 'not.argus');
    writeFileSync(file, 'hello, world\n');
    await expectParseError(
      file,
      'not an argus 3 file: expected a management record (0x83) at the start, found 0x68',
      0,
    );
  });

  it('reports a truncated record at its offset', async () => {
    const bytes = readFileSync(udp2);
    const file = join(fixture.dir, 'cut.argus');
    writeFileSync(file, bytes.subarray(0, 128 + 50));
    await expectParseError(file, `truncated argus record: 50 of ${bytes.readUInt16BE(130) * 4} bytes`, 128);
  });

  it('reports an unknown DSR at its offset', async () => {
    const bytes = Buffer.from(readFileSync(udp2));
    expect(bytes[132]).toBe(0x01); // the first DSR of the first flow record: transport
    bytes[132] = 0x7e;
    const file = join(fixture.dir, 'dsr.argus');
    writeFileSync(file, bytes);
    await expectParseError(file, 'unknown argus DSR type 0x7e', 132);
  });

  it('reports a time DSR whose range ends before it starts', async () => {
    const bytes = Buffer.from(readFileSync(udp2));
    expect(bytes.readUInt16BE(164)).toBe(0x0302); // the time DSR of the first flow record: a range
    expect([bytes.readUInt32BE(168), bytes.readUInt32BE(176)]).toEqual([1455745800, 1455745800]);
    bytes.writeUInt32BE(1455745799, 176); // end second one before the start
    const file = join(fixture.dir, 'backwards.argus');
    writeFileSync(file, bytes);
    await expectParseError(
      file,
      'argus time DSR ends before it starts (1455745799.250000 < 1455745800.000000)',
      164,
    );
  });

  it('reports a bidirectional time DSR without a timestamp', async () => {
    const bytes = Buffer.from(readFileSync(udp2));
    // The time DSR becomes the 3.0 form with src start and src end (bits 0x08, 0x10), both zero.
    bytes[165] = 0x18;
    bytes.fill(0, 168, 184);
    const file = join(fixture.dir, 'no-time.argus');
    writeFileSync(file, bytes);
    await expectParseError(file, 'argus time DSR holds no timestamp', 164);
  });

  it('reports an empty file', async () => {
    const file = join(fixture.dir, 'empty.argus');
    writeFileSync(file, '');
    await expect(readArgusNative(file, () => undefined)).rejects.toBeInstanceOf(EmptyInputError);
  });

  it('names the Debian package when ra is missing', async () => {
    const error = await readArgusViaRa(udp2, () => undefined, { raCommand: '/nonexistent/ra' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MissingToolError);
    expect((error as Error).message).toBe('ra is not installed (Debian package: argus-client)');
  });

  it('passes on ra failures as input errors', async () => {
    const file = join(fixture.dir, 'not2.argus');
    writeFileSync(file, 'hello, world\n');
    await expect(readArgusViaRa(file, () => undefined)).rejects.toThrow(
      'ra exited with status 1 (not an argus file?)',
    );
  });
});
