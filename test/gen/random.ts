/**
 * A small seeded PRNG (mulberry32) for fixture and benchmark generators: the same seed always gives
 * the same data, so goldens and ground truths are reproducible.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Pareto-distributed integer ≥ min (heavy tail, shape alpha), capped at max. */
  pareto(min: number, alpha: number, max: number): number {
    const value = min / Math.pow(1 - this.next(), 1 / alpha);
    return Math.min(max, Math.floor(value));
  }
}

/** The same generator as a plain function returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
