import { describe, expect, it, vi } from 'vitest';
import { createProgress } from './progress.js';

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  const stream = { isTTY, write: (text: string) => written.push(text) > 0 };
  return { stream: stream as unknown as NodeJS.WriteStream, written };
}

describe('createProgress', () => {
  it('draws one line on a terminal, at most five times a second, and clears it at the end', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const { stream, written } = fakeStream(true);
      const progress = createProgress('ingest a.pcap', 'records', stream);
      vi.advanceTimersByTime(2000);
      progress.update(1_000_000);
      progress.update(1_000_001); // within 200 ms: not drawn
      vi.advanceTimersByTime(500);
      progress.update(2_000_000, 4_000_000);
      progress.finish();
      expect(written).toEqual([
        '\ringest a.pcap: 1,000,000 records (500,000 records/s)\x1b[K',
        '\ringest a.pcap: 2,000,000 records 50.0% (800,000 records/s)\x1b[K',
        '\r\x1b[K',
      ]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes nothing when the stream is not a terminal (piped runs stay quiet)', () => {
    const { stream, written } = fakeStream(false);
    const progress = createProgress('ingest', 'records', stream);
    progress.update(5);
    progress.finish();
    expect(written).toEqual([]);
  });
});
