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
   * Appends `count` objects rendered elsewhere (a `JsonObjectBuffer`'s bytes): object i ends at
   * `ends[i]`, and objects are separated by `,\n`, so the objects of one slice are copied in one piece.
   */
  appendObjects(bytes: Uint8Array, ends: Int32Array, count: number): void {
    let first = 0;
    while (first < count) {
      const take = Math.min(count - first, this.sliceSize - this.inSlice);
      const from = first === 0 ? 0 : (ends[first - 1] as number) + SEPARATOR.length;
      const to = ends[first + take - 1] as number;
      // 2 bytes before the run ("[\n" or ",\n") and 2 for the slice's end.
      const needed = to - from + 4;
      if (this.pos + needed > this.out.length) this.newBlock(needed);
      this.putSeparator();
      this.out.set(bytes.subarray(from, to), this.pos);
      this.pos += to - from;
      this.objects += take;
      this.inSlice += take;
      if (this.inSlice === this.sliceSize) this.closeSlice();
      first += take;
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

/**
 * Objects one after the other, separated by `,\n` (as inside a slice), with the end of each: what a
 * rendering worker hands back to be appended to slices (`JsonSliceWriter.appendObjects`). The buffer
 * grows when an object might not fit (the renderer's bound is generous); `reset` starts over in the same
 * memory.
 */
export class JsonObjectBuffer implements JsonObjectWriter {
  out: Buffer;
  pos = 0;
  /** Objects written since the last reset. */
  count = 0;
  ends: Int32Array;

  constructor(out: Buffer, ends: Int32Array = new Int32Array(1024)) {
    this.out = out;
    this.ends = ends;
  }

  /** Starts over in `out` (default: the current memory). */
  reset(out: Buffer = this.out): void {
    this.out = out;
    this.pos = 0;
    this.count = 0;
  }

  beginObject(maxBytes: number): void {
    const needed = maxBytes + SEPARATOR.length;
    if (this.pos + needed > this.out.length) {
      // A fresh ArrayBuffer of its own (not from Node's pool): it may be transferred to another thread.
      const grown = Buffer.from(new ArrayBuffer(Math.max(2 * this.out.length, this.pos + needed)));
      this.out.copy(grown, 0, 0, this.pos);
      this.out = grown;
    }
    if (this.count > 0) {
      this.out[this.pos] = SEPARATOR[0] as number;
      this.out[this.pos + 1] = SEPARATOR[1] as number;
      this.pos += 2;
    }
  }

  endObject(pos: number): void {
    this.pos = pos;
    if (this.count === this.ends.length) {
      const grown = new Int32Array(2 * this.ends.length);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.count++] = pos;
  }
}
