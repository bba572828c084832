import { Worker } from 'node:worker_threads';
import { type Encoding, FormatError, type LineReader, readLines } from '../formats/lines.ts';
import type { Reject } from '../formats/table.ts';
import type { SourceFile } from '../sources.ts';
import { type FingerprintArrays, FingerprintSet, transferList } from './fingerprints.ts';
import { type LineSpec, LineStager } from './line-stager.ts';
import { tableSources } from './table-sources.ts';

/** CSV of a batch of lines for the staging table, with the last line and the bytes of the file read so far. */
export interface StagedBatch {
  text: string;
  last: number;
  bytes: number;
}

/** What is known once every line of a file is staged. */
export interface LineOutcome {
  staged: number;
  unchanged: number;
  encoding: Encoding | undefined;
  /** The mirror's fingerprints, each marked with the line where the file has it. */
  known: FingerprintSet;
}

export interface LineStaging {
  batches: AsyncGenerator<StagedBatch>;
  /** Once `batches` is done. */
  outcome(): LineOutcome;
  /** Stops reading, whether or not `batches` was read to its end. */
  close(): Promise<void>;
}

/**
 * Reads the header (a FormatError when it lacks a column, before anything is staged), then stages the file's
 * lines a decoded chunk at a time.
 */
export async function stageLines(
  file: string,
  lines: LineReader,
  spec: LineSpec,
  known: FingerprintSet,
  reject: (r: Reject) => void,
): Promise<LineStaging> {
  const iterator = lines.batches();
  let opened = await iterator.next();
  while (!opened.done && opened.value.texts.length === 0) opened = await iterator.next();
  if (opened.done) throw new FormatError(file, 1, 'fichier vide : ligne d’en-tête attendue');
  const stager = new LineStager(file, opened.value.texts[0] as string, spec, known, reject);
  const head = { first: 2, texts: opened.value.texts.slice(1) };
  async function* batches(): AsyncGenerator<StagedBatch> {
    for (let batch = head; ; ) {
      yield { text: stager.stage(batch), last: batch.first + batch.texts.length - 1, bytes: lines.bytesRead };
      const next = await iterator.next();
      if (next.done) return;
      batch = next.value;
    }
  }
  return {
    batches: batches(),
    outcome: () => ({ staged: stager.staged, unchanged: stager.unchanged, encoding: lines.encoding, known }),
    close: async () => {
      await iterator.return(undefined);
    },
  };
}

/** What the worker is given: the file to open and the mirror's fingerprints (transferred). */
export interface WorkerInput {
  file: string;
  kind: SourceFile['kind'];
  location: SourceFile['location'];
  fingerprints: FingerprintArrays;
}

/** Messages from the worker, in order: `open` or `fail`, then `batch`es, then `done` or `fail`. */
export type WorkerMessage =
  | { type: 'open' }
  | ({ type: 'batch'; rejects: Reject[] } & StagedBatch)
  | {
      type: 'done';
      staged: number;
      unchanged: number;
      encoding: Encoding | undefined;
      fingerprints: FingerprintArrays;
    }
  | { type: 'fail'; format: { file: string; line: number; reason: string } | null; message: string };

/** Batches the worker may send ahead of the COPY reading them: a few megabytes at most. */
export const window = 16;

/**
 * The same staging in a worker thread, which reads, decodes and checks the file while this thread loads the
 * batches: on PGlite, whose COPY runs in this thread, the two otherwise take turns. The fingerprints go to the
 * worker and come back with `done`.
 */
export async function stageLinesInWorker(
  source: SourceFile,
  known: FingerprintSet,
  reject: (r: Reject) => void,
): Promise<LineStaging> {
  const input: WorkerInput = {
    file: source.name,
    kind: source.kind,
    location: source.location,
    fingerprints: known.arrays,
  };
  const worker = new Worker(new URL('./line-worker.js', import.meta.url), {
    workerData: input,
    transferList: transferList(input.fingerprints),
  });
  const queue: WorkerMessage[] = [];
  let wake: (() => void) | undefined;
  const push = (message: WorkerMessage) => {
    queue.push(message);
    wake?.();
  };
  worker.on('message', push);
  worker.on('error', (error) => push({ type: 'fail', format: null, message: error.message }));
  worker.on('exit', (code) =>
    push({ type: 'fail', format: null, message: `fil de lecture arrêté (${code})` }),
  );
  const next = async (): Promise<WorkerMessage> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift() as WorkerMessage;
  };
  const failure = (message: Extract<WorkerMessage, { type: 'fail' }>) =>
    message.format
      ? new FormatError(message.format.file, message.format.line, message.format.reason)
      : new Error(message.message);

  const first = await next();
  if (first.type !== 'open') {
    await worker.terminate();
    throw first.type === 'fail'
      ? failure(first)
      : new Error(`message inattendu du fil de lecture : ${first.type}`);
  }
  let outcome: LineOutcome | undefined;
  const close = async () => {
    worker.removeAllListeners('exit');
    await worker.terminate();
  };
  async function* batches(): AsyncGenerator<StagedBatch> {
    try {
      for (;;) {
        const message = await next();
        if (message.type === 'batch') {
          for (const r of message.rejects) reject(r);
          worker.postMessage('ack');
          yield message;
        } else if (message.type === 'done') {
          outcome = { ...message, known: new FingerprintSet(message.fingerprints) };
          return;
        } else
          throw message.type === 'fail' ? failure(message) : new Error(`message inattendu : ${message.type}`);
      }
    } finally {
      await close();
    }
  }
  return {
    batches: batches(),
    outcome: () => {
      if (!outcome) throw new Error('lecture du fichier inachevée');
      return outcome;
    },
    close,
  };
}

/** In this thread or in a worker: the worker costs a few hundred milliseconds to start, worth it on large files. */
export async function openLineStaging(
  source: SourceFile,
  known: FingerprintSet,
  reject: (r: Reject) => void,
  workerAboveBytes: number,
): Promise<LineStaging> {
  const spec = tableSources[source.kind];
  if (!spec) throw new Error(`pas un fichier de lignes : ${source.kind}`);
  if (source.size > workerAboveBytes) return stageLinesInWorker(source, known, reject);
  return stageLines(source.name, readLines(source.name, await source.open()), spec, known, reject);
}
