/**
 * Values worked out from one generation of the directory mirror, the most recently used kept, at most `capacity`.
 * The mirror's rows change only when a new generation is merged, so nothing goes stale within one: the first read
 * of a newer generation empties the cache, and a value worked out under an older one (a request that started
 * before the swap) is not kept.
 */
export class GenerationCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, V>();
  #generation = -1;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(generation: number, key: string): V | undefined {
    if (!this.#adopt(generation)) return undefined;
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting makes the entry the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  set(generation: number, key: string, value: V): void {
    if (!this.#adopt(generation)) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** Whether `generation` is the current one, after moving to it if it is newer. */
  #adopt(generation: number): boolean {
    if (generation < this.#generation) return false;
    if (generation > this.#generation) {
      this.#entries.clear();
      this.#generation = generation;
    }
    return true;
  }
}
