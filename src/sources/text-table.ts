/**
 * Strings made from bytes, kept so that the same bytes give the same string again: byte-level readers
 * (tstat rows, NDJSON records) see the same addresses, protocols and names over and over. Making a string
 * costs more than finding it here, and one string per address means its hash is computed once for the
 * ledger's dictionary and lookups there compare pointers.
 *
 * An open-addressing table keyed by the bytes' FNV-1a hash, verified byte by byte; it holds up to
 * {@link TEXT_TABLE_LIMIT} texts and is emptied when full, so memory stays bounded on sources with
 * millions of distinct texts.
 */

export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;
export const TEXT_TABLE_LIMIT = 1 << 18;

export class TextTable {
  private hashes = new Int32Array(1024);
  private texts: Array<string | undefined> = new Array<string | undefined>(1024);
  private size = 0;

  /** The string of bytes[from, to), or undefined when they are not all ASCII (decode those yourself). */
  get(bytes: Buffer, from: number, to: number): string | undefined {
    let hash = FNV_OFFSET;
    for (let i = from; i < to; i++) {
      const byte = bytes[i] as number;
      if (byte > 0x7f) return undefined;
      hash = Math.imul(hash ^ byte, FNV_PRIME);
    }
    return this.hashed(bytes, from, to, hash);
  }

  /** The string of ASCII bytes[from, to) whose FNV-1a hash (from {@link FNV_OFFSET}) the caller computed. */
  hashed(bytes: Buffer, from: number, to: number, hash: number): string {
    const mask = this.hashes.length - 1;
    const length = to - from;
    for (let slot = (hash ^ (hash >>> 15)) & mask; ; slot = (slot + 1) & mask) {
      const text = this.texts[slot];
      if (text === undefined) break;
      if (this.hashes[slot] === hash && text.length === length) {
        let i = 0;
        while (i < length && text.charCodeAt(i) === bytes[from + i]) i++;
        if (i === length) return text;
      }
    }
    const text = bytes.toString('latin1', from, to);
    this.add(text, hash);
    return text;
  }

  private add(text: string, hash: number): void {
    if (this.size >= this.hashes.length >> 1) {
      if (this.size >= TEXT_TABLE_LIMIT) this.resize(this.hashes.length, []);
      else this.resize(this.hashes.length * 2, this.texts);
    }
    const mask = this.hashes.length - 1;
    let slot = (hash ^ (hash >>> 15)) & mask;
    while (this.texts[slot] !== undefined) slot = (slot + 1) & mask;
    this.hashes[slot] = hash;
    this.texts[slot] = text;
    this.size++;
  }

  private resize(slots: number, keep: ReadonlyArray<string | undefined>): void {
    const hashes = this.hashes;
    this.hashes = new Int32Array(slots);
    this.texts = new Array<string | undefined>(slots);
    this.size = 0;
    for (let slot = 0; slot < keep.length; slot++) {
      const text = keep[slot];
      if (text !== undefined) this.add(text, hashes[slot] as number);
    }
  }
}
