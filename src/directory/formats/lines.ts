export type Encoding = 'utf-8' | 'windows-1252';

const BOM = [0xef, 0xbb, 0xbf];

/**
 * UTF-8 when the sample decodes strictly as UTF-8 (pure ASCII included), Windows-1252 otherwise: the FINESS
 * etalab files were published in Windows-1252, the ANS extractions in UTF-8, and neither says so.
 */
export function detectEncoding(sample: Uint8Array): Encoding {
  if (BOM.every((b, i) => sample[i] === b)) return 'utf-8';
  // Ignore a multi-byte character cut at the end of the sample.
  let end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = sample[end - back] ?? 0;
    if ((byte & 0xc0) === 0xc0) {
      end -= back;
      break;
    }
    if ((byte & 0x80) === 0) break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

export class FormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line} : ${reason}`);
    this.name = 'FormatError';
  }
}

export interface Line {
  number: number;
  text: string;
}

/** Consecutive lines as decoded from one chunk of the file: `texts[i]` is line `first + i`. */
export interface LineBatch {
  first: number;
  texts: string[];
}

export interface LineReader extends AsyncIterable<Line> {
  /** Known once the first bytes are read. */
  readonly encoding: Encoding | undefined;
  /** Bytes consumed so far, for progress. */
  readonly bytesRead: number;
  /** The same lines, a chunk at a time: what a reader of millions of lines iterates, one await a chunk. */
  batches(): AsyncGenerator<LineBatch>;
}

const sampleBytes = 64 * 1024;

/**
 * Decodes a byte stream into numbered lines (LF or CRLF). The encoding is detected on the first 64 KiB; a later
 * byte sequence invalid in that encoding is a FormatError naming the line, never a silent replacement character.
 */
export function readLines(file: string, source: AsyncIterable<Uint8Array>): LineReader {
  const state = { encoding: undefined as Encoding | undefined, bytesRead: 0 };
  async function* batches(): AsyncGenerator<LineBatch> {
    let decoder: TextDecoder | undefined;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let carry = '';
    let number = 0;
    let first = true;
    const decode = (bytes: Uint8Array, stream: boolean): string => {
      try {
        return (decoder as TextDecoder).decode(bytes, { stream });
      } catch {
        // Locate the first undecodable byte by decoding the same bytes leniently.
        const text = carry + new TextDecoder(state.encoding).decode(bytes);
        const bad = text.indexOf('\uFFFD');
        const at = number + 1 + (text.slice(0, Math.max(bad, 0)).match(/\n/g)?.length ?? 0);
        throw new FormatError(file, at, `octets invalides en ${state.encoding} (encodage mélangé ?)`);
      }
    };
    function split(text: string): LineBatch {
      let chunk = carry + text;
      if (first && chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
      const batch: LineBatch = { first: number + 1, texts: [] };
      let start = 0;
      for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
        const end = nl > start && chunk.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        batch.texts.push(chunk.slice(start, end));
        start = nl + 1;
      }
      number += batch.texts.length;
      carry = chunk.slice(start);
      return batch;
    }
    for await (const chunk of source) {
      state.bytesRead += chunk.length;
      if (!decoder) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < sampleBytes) continue;
        const sample = Buffer.concat(pending);
        state.encoding = detectEncoding(sample);
        decoder = new TextDecoder(state.encoding, { fatal: true });
        pending = [];
        yield split(decode(sample, true));
        continue;
      }
      const batch = split(decode(chunk, true));
      if (batch.texts.length > 0) yield batch;
    }
    if (!decoder) {
      const sample = Buffer.concat(pending);
      state.encoding = detectEncoding(sample);
      decoder = new TextDecoder(state.encoding, { fatal: true });
      yield split(decode(sample, true));
    }
    yield split(decode(new Uint8Array(), false));
    if (carry.length > 0) {
      number++;
      yield { first: number, texts: [carry.endsWith('\r') ? carry.slice(0, -1) : carry] };
    }
  }
  return {
    get encoding() {
      return state.encoding;
    },
    get bytesRead() {
      return state.bytesRead;
    },
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const { first, texts } of batches())
        for (let i = 0; i < texts.length; i++) yield { number: first + i, text: texts[i] as string };
    },
  };
}
