/**
 * JSON objects cut into slices of N as `json.dumps(list, indent=4)` prints a list: `[\n`, the objects
 * joined by `,\n`, `\n]`. Objects are written as bytes straight into large blocks, and a finished slice is
 * a view of its block (no copy). A block is written again only after every slice in it was released by
 * whoever consumed it: fresh memory costs a page fault per 4 KiB, which at gigabytes of JSON is a good
 * part of the run. A slice that is never released keeps its block out of reuse (the garbage collector
 * frees it), so forgetting to release costs speed, never correctness.
 */

const OPEN = Buffer.from('[\n');
const SEPARATOR = Buffer.from(',\n');
const CLOSE = Buffer.from('\n]');

export const JSON_SLICE_DEFAULTS = {
  /** Bytes per block: about 30 slices of 100 tstat objects. */
  blockBytes: 4 << 20,
  /** Released blocks kept for reuse. */
  spareBlocks: 8,
} as const;

/**
 * Where a renderer writes objects: `beginObject(maxBytes)` makes room, the renderer writes the object's
 * bytes into `out` from `pos`, then `endObject(end)`. `JsonSliceWriter` cuts them into slices;
 * `JsonObjectBuffer` only collects them (a worker thread's output, appended to slices later).
 */
export interface JsonObjectWriter {
  out: Buffer;
  pos: number;
  beginObject(maxBytes: number): void;
  endObject(pos: number): void;
}

/** A finished slice. Call `release` once the bytes are no longer needed (at most once). */
export interface JsonSlice {
  body: Buffer;
  release: () => void;
}

interface Block {
  bytes: Buffer;
  /** Slices of this block handed out and not released yet. */
  outstanding: number;
}

export class JsonSliceWriter implements JsonObjectWriter {
  /** The block being written; an object is written from `pos` (see `beginObject`). */
  out: Buffer;
  pos = 0;
  /** Objects written since the writer was made. */
  objects = 0;
  private block: Block;
  private readonly spare: Block[] = [];
  private sliceStart = 0;
  private inSlice = 0;
  private finished: JsonSlice[] = [];

  constructor(
    readonly sliceSize: number,
    private readonly blockBytes: number = JSON_SLICE_DEFAULTS.blockBytes,
  ) {
    this.block = { bytes: Buffer.allocUnsafe(blockBytes), outstanding: 0 };
    this.out = this.block.bytes;
  }

  /**
   * Starts an object of at most `maxBytes`: makes room for it and writes what goes before it in the
   * slice. The caller writes the object into `out` from `pos`, then calls `endObject` with the position
   * after it.
   */
  beginObject(maxBytes: number): void {
    // 4 spare bytes for the slice's end.
    const needed = maxBytes + 4;
    if (this.pos + needed > this.out.length) this.newBlock(needed);
    this.putSeparator();
  }

  /**
   * Appends objects rendered elsewhere, in order. When they were laid out for the writer's position
   * (`phase` = objects in the open slice) and `hold` is given, each whole slice among them is handed out
   * as a view of their memory: `hold()` is called once per such slice, and the function it returns when
   * that slice is released. Anything else (the partial first and last slices, objects laid out for
   * another position) is copied, a run of objects at a time.
   */
  appendObjects(objects: RenderedObjects, hold?: () => () => void): void {
    const { bytes, starts, ends, count } = objects;
    const sliceSize = this.sliceSize;
    const inPlace = hold !== undefined && objects.phase === this.inSlice;
    let i = 0;
    while (i < count) {
      if (inPlace && this.inSlice === 0 && i + sliceSize <= count) {
        // A whole slice, `[\n` to `\n]`, laid out where it is.
        const body = bytes.subarray((starts[i] as number) - 2, (ends[i + sliceSize - 1] as number) + 2);
        this.finished.push({ body, release: hold() });
        this.objects += sliceSize;
        i += sliceSize;
        continue;
      }
      // Objects i..j-1 follow each other with `,\n` between them and fit in the open slice: one copy.
      const room = sliceSize - this.inSlice;
      let j = i + 1;
      while (j < count && j - i < room && starts[j] === (ends[j - 1] as number) + SEPARATOR.length) j++;
      const from = starts[i] as number;
      const to = ends[j - 1] as number;
      // 2 bytes before the run ("[\n" or ",\n") and 2 for the slice's end.
      const needed = to - from + 4;
      if (this.pos + needed > this.out.length) this.newBlock(needed);
      this.putSeparator();
      this.out.set(bytes.subarray(from, to), this.pos);
      this.pos += to - from;
      this.objects += j - i;
      this.inSlice += j - i;
      if (this.inSlice === sliceSize) this.closeSlice();
      i = j;
    }
  }

  endObject(pos: number): void {
    this.pos = pos;
    this.objects++;
    if (++this.inSlice === this.sliceSize) this.closeSlice();
  }

  /** Closes the open slice, if any (the last one of a directory holds fewer objects). */
  flush(): void {
    if (this.inSlice > 0) this.closeSlice();
  }

  /** The slices finished since the last call, in order. */
  takeFinished(): JsonSlice[] {
    const finished = this.finished;
    if (finished.length > 0) this.finished = [];
    return finished;
  }

  /** What goes before an object: `[\n` opens a slice, `,\n` separates. */
  private putSeparator(): void {
    const separator = this.inSlice === 0 ? OPEN : SEPARATOR;
    this.out[this.pos] = separator[0] as number;
    this.out[this.pos + 1] = separator[1] as number;
    this.pos += 2;
  }

  private closeSlice(): void {
    this.out[this.pos] = CLOSE[0] as number;
    this.out[this.pos + 1] = CLOSE[1] as number;
    this.pos += 2;
    const block = this.block;
    block.outstanding++;
    let released = false;
    this.finished.push({
      body: this.out.subarray(this.sliceStart, this.pos),
      release: () => {
        if (released) return;
        released = true;
        if (--block.outstanding === 0 && block !== this.block) this.recycle(block);
      },
    });
    this.sliceStart = this.pos;
    this.inSlice = 0;
  }

  /** Moves the open slice to another block with room for `needed` more bytes. */
  private newBlock(needed: number): void {
    const old = this.block;
    const open = this.out.subarray(this.sliceStart, this.pos);
    const size = open.length + needed;
    const reused = size <= this.blockBytes ? this.spare.pop() : undefined;
    this.block = reused ?? { bytes: Buffer.allocUnsafe(Math.max(this.blockBytes, size)), outstanding: 0 };
    this.out = this.block.bytes;
    open.copy(this.out, 0);
    this.sliceStart = 0;
    this.pos = open.length;
    if (old.outstanding === 0) this.recycle(old);
  }

  private recycle(block: Block): void {
    if (block.bytes.length === this.blockBytes && this.spare.length < JSON_SLICE_DEFAULTS.spareBlocks)
      this.spare.push(block);
  }
}

/** Objects rendered elsewhere (a `JsonObjectBuffer`'s), as `JsonSliceWriter.appendObjects` takes them. */
export interface RenderedObjects {
  bytes: Buffer;
  /** Object i is bytes[starts[i], ends[i]). */
  starts: Int32Array;
  ends: Int32Array;
  count: number;
  /** The slice position the objects were laid out for: objects already in the open slice. */
  phase: number;
}

/**
 * Objects laid out as the slices they will be part of, given `phase`, the number of objects the open
 * slice will already hold when the first one is appended: `[\n` before the first object of a slice,
 * `,\n` between objects, `\n]` after the last; nothing before the first object when it continues a
 * slice begun elsewhere. What a rendering worker hands back: when the phase was right, every whole slice
 * is a view of this memory (`JsonSliceWriter.appendObjects`), and only the partial first and last slices
 * are copied. The buffer grows when an object might not fit (the renderer's bound is generous).
 */
export class JsonObjectBuffer implements JsonObjectWriter {
  out: Buffer;
  pos = 0;
  /** Objects written since the last reset. */
  count = 0;
  starts: Int32Array;
  ends: Int32Array;
  phase = 0;
  /** The slot of the object being written in its slice. */
  private slot = 0;

  constructor(
    out: Buffer,
    readonly sliceSize: number,
    capacity = 1024,
  ) {
    this.out = out;
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }

  /** Starts over in `out` (default: the current memory), the first object at slot `phase` of its slice. */
  reset(out: Buffer = this.out, phase = 0): void {
    this.out = out;
    this.pos = 0;
    this.count = 0;
    this.phase = phase;
  }

  beginObject(maxBytes: number): void {
    // 2 bytes before the object, 2 after.
    const needed = maxBytes + 4;
    if (this.pos + needed > this.out.length) {
      // A fresh ArrayBuffer of its own (not from Node's pool): it may be transferred to another thread.
      const grown = Buffer.from(new ArrayBuffer(Math.max(2 * this.out.length, this.pos + needed)));
      this.out.copy(grown, 0, 0, this.pos);
      this.out = grown;
    }
    this.slot = (this.phase + this.count) % this.sliceSize;
    const separator = this.slot === 0 ? OPEN : this.count > 0 ? SEPARATOR : undefined;
    if (separator !== undefined) {
      this.out[this.pos] = separator[0] as number;
      this.out[this.pos + 1] = separator[1] as number;
      this.pos += 2;
    }
    if (this.count === this.ends.length) {
      this.starts = grow(this.starts);
      this.ends = grow(this.ends);
    }
    this.starts[this.count] = this.pos;
  }

  endObject(pos: number): void {
    this.ends[this.count++] = pos;
    this.pos = pos;
    if (this.slot === this.sliceSize - 1) {
      this.out[pos] = CLOSE[0] as number;
      this.out[pos + 1] = CLOSE[1] as number;
      this.pos += 2;
    }
  }
}

function grow(array: Int32Array): Int32Array {
  const grown = new Int32Array(2 * array.length);
  grown.set(array);
  return grown;
}
