import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildEthernetFrame, pcapHeader, pcapRecord } from '../../../test/gen/packets.js';
import { accountCapture, parseGroupBy, PROGRESS_FRAMES } from './account.js';

describe('accountCapture progress', () => {
  it('reports every PROGRESS_FRAMES frames read, and the totals stay exact', async () => {
    const frames = 2 * PROGRESS_FRAMES + 5;
    const record = pcapRecord(
      1_700_000_000,
      buildEthernetFrame({
        time: 0,
        src: '10.0.0.1',
        dst: '10.0.0.2',
        proto: 17,
        sport: 5,
        dport: 53,
        payload: 18,
      }),
    );
    const capture = Buffer.concat([pcapHeader(), Buffer.alloc(frames * record.length)]);
    for (let i = 0; i < frames; i++) record.copy(capture, 24 + i * record.length);
    const calls: number[] = [];
    const { summary, accounting } = await accountCapture(Readable.from([capture]), {
      groupBy: parseGroupBy('src')!,
      name: 'generated',
      onProgress: (count) => calls.push(count),
    });
    expect(calls).toEqual([PROGRESS_FRAMES, 2 * PROGRESS_FRAMES]);
    expect(summary.decoded).toBe(frames);
    expect(accounting.rows().map((row) => [row.key, row.packets])).toEqual([['10.0.0.1', BigInt(frames)]]);
  });
});
