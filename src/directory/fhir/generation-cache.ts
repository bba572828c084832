/**
 * Values worked out from one generation of the directory mirror, the most recently used kept while their weight
 * (by default 1 each) stays within `capacity`. The mirror's rows change only when a new generation is merged, so
 * nothing goes stale within one: the first read of a newer generation empties the cache, and a value worked out
 * under an older one (a request that started before the swap) is not kept.
 */
export class GenerationCache<V> {
  readonly #capacity: number;
  readonly #weigh: (key: string, value: V) => number;
  readonly #entries = new Map<string, { value: V; weight: number }>();
  #weight = 0;
  #generation = -1;

  constructor(capacity: number, weigh: (key: string, value: V) => number = () => 1) {
    this.#capacity = capacity;
    this.#weigh = weigh;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The sum of the kept values' weights. */
  get weight(): number {
    return this.#weight;
  }

  get(generation: number, key: string): V | undefined {
    if (!this.#adopt(generation)) return undefined;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting makes the entry the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(generation: number, key: string, value: V): void {
    if (!this.#adopt(generation)) return;
    this.#remove(key);
    const weight = this.#weigh(key, value);
    if (weight > this.#capacity) return;
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    for (const oldest of this.#entries.keys()) {
      if (this.#weight <= this.#capacity) break;
      this.#remove(oldest);
    }
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  /** Whether `generation` is the current one, after moving to it if it is newer. */
  #adopt(generation: number): boolean {
    if (generation < this.#generation) return false;
    if (generation > this.#generation) {
      this.#entries.clear();
      this.#weight = 0;
      this.#generation = generation;
    }
    return true;
  }
}
