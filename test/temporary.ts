// Vitest global setup: every temporary folder the tests make (`os.tmpdir()` reads TMPDIR) goes under one folder
// per run, removed when the run ends, instead of piling up in /tmp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'confiance-tests-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
