import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { fileName as finessEquipmentName } from './formats/finess-equipment.ts';
import { fileName as finessEtalabName } from './formats/finess-etalab.ts';
import { fileName as finessPlusName } from './formats/finess-plus.ts';
import { FormatError } from './formats/lines.ts';

export type SourceKind =
  | 'personneActivite'
  | 'savoirFaire'
  | 'diplome'
  | 'mssante'
  | 'finessEtalab'
  | 'finessPlus'
  | 'finessEquipment';

/** One file to import: on disk, or an entry of a ZIP. */
export interface SourceFile {
  kind: SourceKind;
  /** Name shown in reports: `archive.zip/entry.txt` or the file name. */
  name: string;
  /** Extraction timestamp read from the name (`YYYYMMDDhhmm`), when it has one. */
  stamp: string | null;
  /** Uncompressed size in bytes. */
  size: number;
  open(): Promise<Readable>;
}

const patterns: Array<[SourceKind, RegExp]> = [
  [
    'personneActivite',
    /^PS_LibreAcces_Personne_activite_(\d{12})\.txt$|^ps-libreacces-personne-activite\.txt$/i,
  ],
  ['savoirFaire', /^PS_LibreAcces_SavoirFaire_(\d{12})\.txt$|^ps-libreacces-savoirfaire\.txt$/i],
  ['diplome', /^PS_LibreAcces_Dipl_AutExerc_(\d{12})\.txt$|^ps-libreacces-dipl-autexerc\.txt$/i],
  ['mssante', /^Extraction_Correspondance_MSSante_(\d{12})\.txt$/i],
  ['finessEtalab', finessEtalabName],
  ['finessPlus', finessPlusName],
  ['finessEquipment', finessEquipmentName],
];

export function classify(name: string): { kind: SourceKind; stamp: string | null } | undefined {
  for (const [kind, pattern] of patterns) {
    const match = pattern.exec(name);
    if (match) return { kind, stamp: match.slice(1).filter(Boolean).join('') || null };
  }
  return undefined;
}

/** Published ZIP bundles, named with their extraction timestamp. */
export function classifyArchive(
  name: string,
): { kind: 'bundle' | 'mssanteBundle'; stamp: string } | undefined {
  const bundle = /^PS_LibreAcces_(\d{12})\.zip$/i.exec(name);
  if (bundle?.[1]) return { kind: 'bundle', stamp: bundle[1] };
  const mssante = /^Extraction_Correspondance_MSSante_(\d{12})\.zip$/i.exec(name);
  if (mssante?.[1]) return { kind: 'mssanteBundle', stamp: mssante[1] };
  return undefined;
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, strictFileNames: false }, (error, zip) =>
      error || !zip
        ? reject(new FormatError(basename(path), 0, `archive ZIP illisible (${error?.message ?? 'vide'})`))
        : resolve(zip),
    ),
  );
}

async function zipEntries(path: string): Promise<Array<{ name: string; size: number }>> {
  const zip = await openZip(path);
  return new Promise((resolve, reject) => {
    const entries: Array<{ name: string; size: number }> = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) entries.push({ name: entry.fileName, size: entry.uncompressedSize });
      zip.readEntry();
    });
    zip.on('end', () => {
      zip.close();
      resolve(entries);
    });
    zip.on('error', (error: Error) => {
      zip.close();
      reject(new FormatError(basename(path), 0, `archive ZIP illisible (${error.message})`));
    });
    zip.readEntry();
  });
}

/** A stream of one ZIP entry; the archive closes when the stream ends. */
async function openZipEntry(path: string, name: string): Promise<Readable> {
  const zip = await openZip(path);
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== name) return zip.readEntry();
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) {
          zip.close();
          return reject(
            new FormatError(`${basename(path)}/${name}`, 0, `entrée illisible (${error?.message})`),
          );
        }
        stream.on('close', () => zip.close());
        resolve(stream);
      });
    });
    zip.on('end', () => reject(new FormatError(basename(path), 0, `entrée absente : ${name}`)));
    zip.on('error', (error: Error) =>
      reject(new FormatError(basename(path), 0, `archive ZIP illisible (${error.message})`)),
    );
    zip.readEntry();
  });
}

/**
 * The importable files behind paths given by the user: ZIP bundles, folders of unpacked files, or files.
 * Files with unknown names are refused by name rather than skipped silently.
 */
export async function collectSources(paths: readonly string[]): Promise<SourceFile[]> {
  const sources: SourceFile[] = [];
  const unknown: string[] = [];
  const addFile = async (path: string) => {
    const name = basename(path);
    if (/\.zip$/i.test(name)) {
      for (const entry of await zipEntries(path)) {
        const kind = classify(basename(entry.name));
        if (!kind) unknown.push(`${name}/${entry.name}`);
        else
          sources.push({
            ...kind,
            name: `${name}/${entry.name}`,
            size: entry.size,
            open: () => openZipEntry(path, entry.name),
          });
      }
      return;
    }
    const kind = classify(name);
    if (!kind) unknown.push(name);
    else sources.push({ ...kind, name, size: statSync(path).size, open: async () => createReadStream(path) });
  };
  for (const path of paths) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(path);
    } catch {
      throw new FormatError(path, 0, 'fichier ou dossier introuvable');
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path).sort()) await addFile(join(path, entry));
    } else await addFile(path);
  }
  if (unknown.length > 0)
    throw new FormatError(
      unknown[0] ?? '',
      0,
      `fichier${unknown.length > 1 ? 's' : ''} non reconnu${unknown.length > 1 ? 's' : ''} : ${unknown.join(', ')}`,
    );
  if (sources.some((s) => s.kind === 'finessEtalab') && sources.some((s) => s.kind === 'finessPlus'))
    throw new FormatError(
      sources
        .filter((s) => s.kind.startsWith('finess'))
        .map((s) => s.name)
        .join(', '),
      0,
      'un seul fichier FINESS par import (etalab ou FINESS+)',
    );
  const kinds = sources.map((s) => s.kind);
  const twice = kinds.find((k, i) => kinds.indexOf(k) !== i);
  if (twice)
    throw new FormatError(
      sources
        .filter((s) => s.kind === twice)
        .map((s) => s.name)
        .join(', '),
      0,
      'deux fichiers du même type',
    );
  return sources;
}
