/**
 * Coalesces point reads: keys asked for during one turn of the event loop are loaded by one call, and while
 * `maxInFlight` calls run, new keys wait and go together in the next one. Under load a database serves fifty
 * lookups in one statement for little more than the cost of one: each statement sent wakes a backend, and on a
 * small machine that wake-up, not the lookup, is what a request spends most on.
 */
interface Waiting<K, V> {
  key: K;
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

export class Batcher<K, V> {
  readonly #load: (keys: K[]) => Promise<V[]>;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  #pending: Array<Waiting<K, V>> = [];
  #scheduled = false;
  #inFlight = 0;

  /** `load` answers the keys' values in the keys' order. */
  constructor(load: (keys: K[]) => Promise<V[]>, options: { maxInFlight?: number; maxBatch?: number } = {}) {
    this.#load = load;
    this.#maxInFlight = options.maxInFlight ?? 4;
    this.#maxBatch = options.maxBatch ?? 200;
  }

  get(key: K): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      this.#pending.push({ key, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#pending.length === 0 || this.#inFlight >= this.#maxInFlight) return;
    this.#scheduled = true;
    // After the current poll phase: the requests whose bytes arrived together are all queued by then.
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#pending.length > 0 && this.#inFlight < this.#maxInFlight) {
      const batch = this.#pending.splice(0, this.#maxBatch);
      this.#inFlight++;
      this.#run(batch).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }

  async #run(batch: Array<Waiting<K, V>>): Promise<void> {
    try {
      const values = await this.#load(batch.map((b) => b.key));
      if (values.length !== batch.length) throw new Error('batch load answered a different number of values');
      for (const [i, b] of batch.entries()) b.resolve(values[i] as V);
    } catch (error) {
      for (const b of batch) b.reject(error);
    }
  }
}
