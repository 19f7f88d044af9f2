import { describe, expect, it } from 'vitest';
import type { JsonSlice } from './json-slices.js';
import { JsonObjectBuffer, JsonSliceWriter } from './json-slices.js';

/** Appends one object (its text) to the writer. */
function write(writer: JsonSliceWriter | JsonObjectBuffer, text: string): void {
  writer.beginObject(text.length);
  const end = writer.out.write(text, writer.pos, 'latin1') + writer.pos;
  writer.endObject(end);
}

const texts = (slices: JsonSlice[]): string[] => slices.map(({ body }) => body.toString('latin1'));

describe('JsonSliceWriter', () => {
  it('cuts objects into slices as json.dumps prints a list: [, objects joined by ",\\n", ]', () => {
    const writer = new JsonSliceWriter(2);
    for (const text of ['{a}', '{b}', '{c}']) write(writer, text);
    expect(texts(writer.takeFinished())).toEqual(['[\n{a},\n{b}\n]']);
    writer.flush();
    expect(texts(writer.takeFinished())).toEqual(['[\n{c}\n]']);
    writer.flush();
    expect(writer.takeFinished()).toEqual([]);
    expect(writer.objects).toBe(3);
  });

  it('never writes into a block while a slice of it is not released', () => {
    const writer = new JsonSliceWriter(1, 64);
    const held: JsonSlice[] = [];
    for (let i = 0; i < 200; i++) {
      write(writer, `{object ${i}}`);
      held.push(...writer.takeFinished());
    }
    expect(texts(held)).toEqual(Array.from({ length: 200 }, (_, i) => `[\n{object ${i}}\n]`));
  });

  it('reuses a block once every slice in it is released, and only then', () => {
    const writer = new JsonSliceWriter(1, 64);
    const blocks = new Set<ArrayBufferLike>();
    const kept: JsonSlice[] = [];
    // Released a few slices later, as a transport does (the writer has moved to another block by then).
    const inFlight: JsonSlice[] = [];
    for (let i = 0; i < 500; i++) {
      write(writer, `{object ${i}}`);
      for (const slice of writer.takeFinished()) {
        blocks.add(slice.body.buffer);
        // Every tenth slice is kept (not released): its block must stay as it is.
        if (i % 10 === 0) kept.push(slice);
        else inFlight.push(slice);
      }
      while (inFlight.length > 5) inFlight.shift()?.release();
    }
    expect(texts(kept)).toEqual(Array.from({ length: 50 }, (_, i) => `[\n{object ${i * 10}}\n]`));
    // 500 slices of ~20 bytes in 64-byte blocks: without reuse there would be ~170 blocks.
    expect(blocks.size).toBeLessThan(80);
  });

  it('an object larger than a block gets a block of its own, with the open slice moved along', () => {
    const writer = new JsonSliceWriter(3, 32);
    const big = `{${'x'.repeat(100)}}`;
    for (const text of ['{a}', big, '{b}']) write(writer, text);
    expect(texts(writer.takeFinished())).toEqual([`[\n{a},\n${big},\n{b}\n]`]);
  });

  it('a slice released twice counts once', () => {
    const writer = new JsonSliceWriter(1, 64);
    write(writer, '{a}');
    const [first] = writer.takeFinished();
    write(writer, '{b}');
    const [second] = writer.takeFinished();
    first?.release();
    first?.release();
    // The block still holds `second`, unreleased: filling more blocks must leave it intact.
    for (let i = 0; i < 50; i++) {
      write(writer, `{filler ${i}}`);
      for (const slice of writer.takeFinished()) slice.release();
    }
    expect(second?.body.toString('latin1')).toBe('[\n{b}\n]');
  });

  it('appendObjects: objects rendered elsewhere land in the same slices as objects written here', () => {
    const objects = Array.from({ length: 47 }, (_, i) => `{object ${i}${'x'.repeat(i % 7)}}`);
    const direct = new JsonSliceWriter(5, 64);
    for (const text of objects) write(direct, text);
    direct.flush();
    const expected = texts(direct.takeFinished());
    // Groups of 0 to 12 objects (as chunks give), through a small buffer that has to grow, laid out for
    // the right slice position (whole slices lent out, held until released), a wrong one, or none.
    for (const layout of ['right', 'wrong', 'copied'] as const) {
      const appended = new JsonSliceWriter(5, 64);
      const buffer = new JsonObjectBuffer(Buffer.alloc(8), 5, 2);
      let holds = 0;
      const finished: JsonSlice[] = [];
      for (let first = 0, size = 0; first < objects.length; first += size, size = (size + 5) % 13) {
        const phase = layout === 'wrong' ? (appended.objects + 1) % 5 : appended.objects % 5;
        // Every group in a buffer of its own: views of earlier groups must stay intact.
        buffer.reset(Buffer.alloc(8), phase);
        for (const text of objects.slice(first, first + size)) write(buffer, text);
        expect(buffer.count).toBe(Math.min(size, objects.length - first));
        const { out: bytes, starts, ends, count } = buffer;
        const hold = (): (() => void) => {
          holds++;
          return () => holds--;
        };
        appended.appendObjects({ bytes, starts, ends, count, phase }, layout === 'copied' ? undefined : hold);
        finished.push(...appended.takeFinished());
      }
      appended.flush();
      finished.push(...appended.takeFinished());
      expect(texts(finished)).toEqual(expected);
      expect(appended.objects).toBe(47);
      if (layout === 'right') expect(holds).toBeGreaterThan(2);
      else expect(holds).toBe(0);
      for (const slice of finished) slice.release();
      expect(holds).toBe(0);
    }
  });
});
