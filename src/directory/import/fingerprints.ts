/**
 * Line fingerprints: the published files are full extractions, so a day of changes is a few thousand lines among
 * millions. Each mirror row fed by one line keeps a 64-bit fingerprint of that line; the next import recognises
 * unchanged lines by their fingerprint and neither parses nor stages them.
 */

/** Fingerprint of a line, as two unsigned 32-bit halves (two multiplicative lanes, mixed at the end). */
export function fingerprint(seed: number, text: string): [number, number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h2 >>> 0, h1 >>> 0];
}

/**
 * The seed of a file's fingerprints: its header, so that the same values under reordered or renamed columns are
 * not taken for the same line, and a version, raised whenever the way lines become rows changes.
 */
export function fileSeed(header: string): number {
  return fingerprint(1, `v1\n${header}`)[1];
}

/** The fingerprint as PostgreSQL's signed bigint, in decimal. */
export function toBigint(hi: number, lo: number): string {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

/**
 * The fingerprints of the rows the mirror serves, and the line where each was met in the file being read.
 * Open addressing on typed arrays: 13 bytes a fingerprint, where a Set of 2.3 million bigints would take ~200 MB.
 */
export class FingerprintSet {
  readonly size: number;
  private readonly mask: number;
  private readonly his: Uint32Array;
  private readonly los: Uint32Array;
  private readonly used: Uint8Array;
  /** Line of the file where the fingerprint was met; 0 while it was not. */
  private readonly lines: Uint32Array;

  /** From PostgreSQL's `int8send` values laid end to end (8 bytes each, big-endian), in one or more parts. */
  constructor(parts: Uint8Array | readonly Uint8Array[]) {
    const list = parts instanceof Uint8Array ? [parts] : parts;
    const count = list.reduce((n, part) => n + Math.floor(part.length / 8), 0);
    let capacity = 16;
    while (capacity * 0.7 < count) capacity *= 2;
    this.mask = capacity - 1;
    this.his = new Uint32Array(capacity);
    this.los = new Uint32Array(capacity);
    this.used = new Uint8Array(capacity);
    this.lines = new Uint32Array(capacity);
    let size = 0;
    for (const part of list) {
      const view = new DataView(part.buffer, part.byteOffset, Math.floor(part.length / 8) * 8);
      for (let i = 0; i < view.byteLength; i += 8) {
        const hi = view.getUint32(i);
        const lo = view.getUint32(i + 4);
        const at = this.slot(hi, lo);
        if (at >= 0) continue;
        const free = -at - 1;
        this.his[free] = hi;
        this.los[free] = lo;
        this.used[free] = 1;
        size++;
      }
    }
    this.size = size;
  }

  /** The slot holding the fingerprint, or −(free slot) − 1 when it is absent. */
  private slot(hi: number, lo: number): number {
    let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    while (this.used[i] === 1) {
      if (this.los[i] === lo && this.his[i] === hi) return i;
      i = (i + 1) & this.mask;
    }
    return -i - 1;
  }

  /**
   * Records that the fingerprint was met on `line`. Returns −1 when the mirror does not hold it (a new or changed
   * line), 0 the first time it is met, and the earlier line when the file repeats it.
   */
  meet(hi: number, lo: number, line: number): number {
    const i = this.slot(hi, lo);
    if (i < 0) return -1;
    const earlier = this.lines[i] as number;
    if (earlier === 0) this.lines[i] = line;
    return earlier;
  }

  /** Line where the fingerprint was met, or 0. */
  lineOf(hi: number, lo: number): number {
    const i = this.slot(hi, lo);
    return i < 0 ? 0 : (this.lines[i] as number);
  }

  /** Fingerprints held but not met: the lines the file no longer has. */
  *unmet(): Generator<[number, number]> {
    for (let i = 0; i <= this.mask; i++)
      if (this.used[i] === 1 && this.lines[i] === 0) yield [this.his[i] as number, this.los[i] as number];
  }
}

/** The two halves of a fingerprint PostgreSQL returned as a bigint. */
export function fromBigint(value: string): [number, number] {
  const n = BigInt.asUintN(64, BigInt(value));
  return [Number(n >> 32n), Number(n & 0xffffffffn)];
}
