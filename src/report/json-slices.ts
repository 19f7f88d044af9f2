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

export class JsonSliceWriter {
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
    const separator = this.inSlice === 0 ? OPEN : SEPARATOR;
    this.out[this.pos] = separator[0] as number;
    this.out[this.pos + 1] = separator[1] as number;
    this.pos += 2;
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
