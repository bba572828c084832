/**
 * Worker thread staging one large extraction (line-staging.ts): reads and decodes the file, checks its lines and
 * sends their CSV to the thread that loads it, at most `window` batches ahead of it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FormatError, readLines } from '../formats/lines.ts';
import type { Reject } from '../formats/table.ts';
import { openLocation } from '../sources.ts';
import { FingerprintSet, transferList } from './fingerprints.ts';
import { stageLines, type WorkerInput, type WorkerMessage, window } from './line-staging.ts';
import { tableSources } from './table-sources.ts';

const port = parentPort;
if (!port) throw new Error('line-worker.ts se lance comme fil de travail');
const input = workerData as WorkerInput;
const send = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

let acked = 0;
let wake: (() => void) | undefined;
port.on('message', () => {
  acked++;
  wake?.();
});

try {
  const spec = tableSources[input.kind];
  if (!spec) throw new Error(`pas un fichier de lignes : ${input.kind}`);
  let rejects: Reject[] = [];
  const lines = readLines(input.file, await openLocation(input.location));
  const staging = await stageLines(input.file, lines, spec, new FingerprintSet(input.fingerprints), (r) =>
    rejects.push(r),
  );
  send({ type: 'open' });
  let sent = 0;
  for await (const batch of staging.batches) {
    send({ type: 'batch', ...batch, rejects });
    rejects = [];
    sent++;
    while (sent - acked >= window) await new Promise<void>((resolve) => (wake = resolve));
  }
  const { staged, unchanged, encoding, known } = staging.outcome();
  send({ type: 'done', staged, unchanged, encoding, fingerprints: known.arrays }, transferList(known.arrays));
} catch (error) {
  send({
    type: 'fail',
    format:
      error instanceof FormatError ? { file: error.file, line: error.line, reason: error.reason } : null,
    message: error instanceof Error ? error.message : String(error),
  });
}
