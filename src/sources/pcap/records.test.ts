import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK, frameFor, pcapFile } from '../../../test/gen/capture.js';
import type { PacketSpec } from '../../../test/gen/packets.js';
import type { TrafficRecord } from '../../model/record.js';
import type { CaptureSummary } from './frames.js';
import { readPcapRecords } from './records.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netledger-pcap-records-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pcap flow records', () => {
  it('span the earliest to the latest packet when the capture is not in time order', async () => {
    const udp = { src: '192.0.2.1', dst: '198.51.100.2', proto: 17, sport: 5000, dport: 53, payload: 10 };
    // The last packet is older than the first (a merged capture, or a clock step): it ended at 995.5
    // before, an end before its start.
    const specs: PacketSpec[] = [
      { time: 1000, ...udp },
      { time: 1002, ...udp },
      { time: 995.5, ...udp },
    ];
    const path = join(dir, 'unordered.pcap');
    await writeFile(
      path,
      pcapFile(specs.map((spec) => ({ time: spec.time, frame: frameFor(LINK.ETHERNET, spec) }))),
    );
    const records: TrafficRecord[] = [];
    for await (const record of readPcapRecords(path, { aggregate: 'flow' })) records.push(record);
    expect(records).toMatchObject([{ start: 995.5, end: 1002, packets: 3, bytes: 3 * 52 }]);
  });

  it('count the frames of a link type the decoder does not know as skipped', async () => {
    const frame = frameFor(LINK.ETHERNET, {
      time: 1,
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 17,
      payload: 4,
    });
    const path = join(dir, 'user0.pcap');
    // LINKTYPE_USER0 (147): the frames are read, but nothing in them can be decoded.
    await writeFile(
      path,
      pcapFile(
        [
          { time: 1, frame },
          { time: 2, frame },
        ],
        { linkType: 147 },
      ),
    );
    let summary: CaptureSummary | undefined;
    const records: TrafficRecord[] = [];
    for await (const record of readPcapRecords(path, {
      aggregate: 'flow',
      onSummary: (s) => (summary = s),
    })) {
      records.push(record);
    }
    expect(records).toEqual([]);
    expect(summary).toMatchObject({ read: 2, decoded: 0, skipped: { 'unsupported-link-type': 2 } });
  });
});
