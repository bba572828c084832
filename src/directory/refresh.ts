import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from '../db/connect.ts';
import { type ImportOptions, type ImportReport, importDirectory } from './import/import.ts';
import { classify, classifyArchive } from './sources.ts';

export type RefreshSource = { kind: 'url'; url: string } | { kind: 'folder'; path: string };

export class RefreshError extends Error {
  override name = 'RefreshError';
}

/** `CONFIANCE_DIRECTORY_SOURCES`: URLs and folders separated by commas. */
export function parseSources(value: string): RefreshSource[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^https?:\/\//.test(s) ? { kind: 'url', url: s } : { kind: 'folder', path: s }));
}

/** The published file name of a download URL, read from a HEAD request (`Content-Disposition`), as ANS serves it. */
export async function publishedName(url: string): Promise<{ name: string; size: number | null }> {
  const response = await fetch(url, { method: 'HEAD', redirect: 'follow' });
  if (!response.ok) throw new RefreshError(`HEAD ${url} : HTTP ${response.status}`);
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = decodeURIComponent(match?.[1] ?? new URL(response.url).pathname.split('/').at(-1) ?? '');
  if (!/^[\w.-]+$/.test(name))
    throw new RefreshError(`nom de fichier publié inutilisable pour ${url} : « ${name} »`);
  const length = response.headers.get('content-length');
  return { name, size: length === null ? null : Number(length) };
}

/**
 * Downloads to `<dest>.part` and renames once complete. A `.part` left by an interrupted download is resumed
 * with a Range request when the server accepts it, otherwise restarted from the beginning.
 */
export async function download(
  url: string,
  dest: string,
  expectedSize: number | null,
): Promise<{ resumedFrom: number }> {
  const part = `${dest}.part`;
  const have = existsSync(part) ? statSync(part).size : 0;
  const response = await fetch(url, {
    headers: have > 0 ? { range: `bytes=${have}-` } : {},
    redirect: 'follow',
  });
  if (!response.ok || !response.body) throw new RefreshError(`GET ${url} : HTTP ${response.status}`);
  const resumed = response.status === 206 && have > 0;
  // Each chunk is on disk before the next is read, so an interruption leaves a .part that can be resumed.
  const file = await open(part, resumed ? 'a' : 'w');
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) await file.write(chunk);
  } finally {
    await file.close();
  }
  const size = statSync(part).size;
  if (expectedSize !== null && size !== expectedSize)
    throw new RefreshError(`téléchargement incomplet de ${url} : ${size} octets sur ${expectedSize}`);
  renameSync(part, dest);
  return { resumedFrom: resumed ? have : 0 };
}

/** Names of files (or ZIP archives) that a successful import already took in. */
async function importedNames(database: Database): Promise<Set<string>> {
  const rows = await database.db
    .selectFrom('dir_import')
    .select('sources')
    .where('status', '=', 'success')
    .orderBy('id', 'desc')
    .limit(200)
    .execute();
  const names = new Set<string>();
  for (const row of rows)
    for (const s of row.sources as Array<{ file: string }>) names.add(s.file.split('/')[0] ?? s.file);
  return names;
}

export interface RefreshResult {
  /** Files found newer than the last import. */
  files: string[];
  report: ImportReport | null;
}

/**
 * One refresh: asks each source for its current file, downloads what is new, and imports it. A source whose
 * published name was already imported costs one HEAD request.
 */
export async function refreshDirectory(
  database: Database,
  sources: readonly RefreshSource[],
  options: { downloadDir: string } & ImportOptions,
): Promise<RefreshResult> {
  const known = await importedNames(database);
  const files: string[] = [];
  mkdirSync(options.downloadDir, { recursive: true });
  for (const source of sources) {
    if (source.kind === 'url') {
      const { name, size } = await publishedName(source.url);
      if (known.has(name)) continue;
      const dest = join(options.downloadDir, name);
      if (!existsSync(dest)) await download(source.url, dest, size);
      files.push(dest);
    } else {
      // The newest file of each kind in the folder, by the timestamp in its name.
      const newest = new Map<string, { name: string; stamp: string }>();
      for (const name of readdirSync(source.path)) {
        const kind = classify(name) ?? classifyArchive(name);
        if (!kind?.stamp) continue;
        const current = newest.get(kind.kind);
        if (!current || kind.stamp > current.stamp) newest.set(kind.kind, { name, stamp: kind.stamp });
      }
      for (const { name } of newest.values()) if (!known.has(name)) files.push(join(source.path, name));
    }
  }
  if (files.length === 0) return { files, report: null };
  return { files, report: await importDirectory(database, files, options) };
}
