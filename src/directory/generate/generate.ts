import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';
import {
  diplomeColumns,
  mssanteColumns,
  personneActiviteColumns,
  savoirFaireColumns,
} from '../formats/ps-libre-acces.ts';
import {
  arrivalsBefore,
  type Person,
  type Profile,
  person,
  personAlive,
  profiles,
  structure,
  structureOpen,
} from './population.ts';
import {
  activityLines,
  diplomaLines,
  equipmentLines,
  finessLines,
  headerLine,
  personMailboxLine,
  savoirFaireLines,
  structureMailboxLine,
} from './rows.ts';

export interface GenerateOptions {
  profile: keyof typeof profiles | Profile;
  seed: number;
  days: number;
  out: string;
  /** First extraction date; each following day is one day later. */
  start?: Date;
}

export interface GeneratedDay {
  dir: string;
  stamp: string;
  files: string[];
  lines: Record<string, number>;
}

/** Windows-1252 bytes of a string; characters outside it become `?`, as a legacy export would do. */
const cp1252Specials: Record<string, number> = {
  '€': 0x80,
  '‚': 0x82,
  ƒ: 0x83,
  '„': 0x84,
  '…': 0x85,
  '†': 0x86,
  '‡': 0x87,
  ˆ: 0x88,
  '‰': 0x89,
  Š: 0x8a,
  '‹': 0x8b,
  Œ: 0x8c,
  Ž: 0x8e,
  '‘': 0x91,
  '’': 0x92,
  '“': 0x93,
  '”': 0x94,
  '•': 0x95,
  '–': 0x96,
  '—': 0x97,
  '˜': 0x98,
  '™': 0x99,
  š: 0x9a,
  '›': 0x9b,
  œ: 0x9c,
  ž: 0x9e,
  Ÿ: 0x9f,
};
export function encodeCp1252(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 63;
    out[n++] = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : (cp1252Specials[ch] ?? 63);
  }
  return out.subarray(0, n);
}

/** Buffers lines and writes them in ~1 MiB chunks, honouring back-pressure. */
class LineSink {
  private buffer: string[] = [];
  private size = 0;
  lines = 0;
  constructor(
    private readonly stream: Writable,
    private readonly encode: (text: string) => Buffer = (t) => Buffer.from(t, 'utf8'),
  ) {}
  async write(text: string): Promise<void> {
    this.buffer.push(text);
    this.size += text.length + 1;
    this.lines++;
    if (this.size >= 1 << 20) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const chunk = this.encode(`${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await new Promise((resolve) => this.stream.once('drain', resolve));
  }
  async end(): Promise<void> {
    await this.flush();
    this.stream.end();
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');
function stampOf(date: Date): string {
  return `${date.getUTCFullYear()}${pad2(date.getUTCMonth() + 1)}${pad2(date.getUTCDate())}0400`;
}

/**
 * Writes `days` successive daily extractions, each in its own folder `DIR/YYYYMMDD/`, in the published names and
 * formats: `PS_LibreAcces_<stamp>.zip` (three UTF-8 files), `Extraction_Correspondance_MSSante_<stamp>.zip`, and
 * the FINESS `etalab-cs1100507-stock-YYYYMMDD-hhmm.csv` (sites) and `etalab-cs1100505-stock-…csv` (social
 * equipment) in Windows-1252.
 */
export async function generateDirectory(options: GenerateOptions): Promise<GeneratedDay[]> {
  const profile = typeof options.profile === 'string' ? profiles[options.profile] : options.profile;
  const start = options.start ?? new Date(Date.UTC(2026, 10, 2));
  const days: GeneratedDay[] = [];
  for (let day = 0; day < options.days; day++) {
    const date = new Date(start.getTime() + day * 86_400_000);
    const stamp = stampOf(date);
    const isoDate = date.toISOString().slice(0, 10);
    const dir = join(options.out, stamp.slice(0, 8));
    mkdirSync(dir, { recursive: true });
    const population = profile.persons + arrivalsBefore(profile, day);
    const alive = function* (): Generator<Person> {
      for (let i = 0; i < population; i++)
        if (personAlive(options.seed, profile, i, day)) yield person(options.seed, profile, i, day);
    };
    const lines: Record<string, number> = {};

    const bundle = new yazl.ZipFile();
    const bundleFile = `PS_LibreAcces_${stamp}.zip`;
    const bundleDone = finished(bundle.outputStream.pipe(createWriteStream(join(dir, bundleFile))));
    const entries: Array<[string, Record<string, string>, (p: Person) => Iterable<string>]> = [
      [`PS_LibreAcces_Personne_activite_${stamp}.txt`, personneActiviteColumns, activityLines],
      [`PS_LibreAcces_SavoirFaire_${stamp}.txt`, savoirFaireColumns, savoirFaireLines],
      [`PS_LibreAcces_Dipl_AutExerc_${stamp}.txt`, diplomeColumns, diplomaLines],
    ];
    for (const [name, columns, rowsOf] of entries) {
      const stream = new PassThrough();
      bundle.addReadStream(stream, name, { mtime: date, compressionLevel: 1 });
      const sink = new LineSink(stream);
      await sink.write(headerLine(columns));
      for (const p of alive()) for (const row of rowsOf(p)) await sink.write(row);
      await sink.end();
      lines[name] = sink.lines;
    }
    bundle.end();
    await bundleDone;

    const mss = new yazl.ZipFile();
    const mssName = `Extraction_Correspondance_MSSante_${stamp}`;
    const mssDone = finished(mss.outputStream.pipe(createWriteStream(join(dir, `${mssName}.zip`))));
    const mssStream = new PassThrough();
    mss.addReadStream(mssStream, `${mssName}.txt`, { mtime: date, compressionLevel: 1 });
    const mssSink = new LineSink(mssStream);
    await mssSink.write(headerLine(mssanteColumns));
    for (const p of alive()) {
      const row = p.mailboxDay <= day ? personMailboxLine(p) : null;
      if (row) await mssSink.write(row);
    }
    const openStructures: number[] = [];
    for (let s = 0; s < profile.structures; s++)
      if (structureOpen(options.seed, profile, s, day)) openStructures.push(s);
    for (const s of openStructures)
      if (s % 5 !== 4) await mssSink.write(structureMailboxLine(structure(options.seed, s)));
    await mssSink.end();
    mss.end();
    await mssDone;
    lines[`${mssName}.txt`] = mssSink.lines;

    const finessName = `etalab-cs1100507-stock-${stamp.slice(0, 8)}-${stamp.slice(8)}.csv`;
    const finessStream = createWriteStream(join(dir, finessName));
    const finessSink = new LineSink(finessStream, encodeCp1252);
    await finessSink.write(`finess;etalab;98;${isoDate}`);
    const geo: string[] = [];
    for (const s of openStructures) {
      const [record, geoRecord] = finessLines(structure(options.seed, s));
      await finessSink.write(record);
      geo.push(geoRecord);
    }
    for (const g of geo) await finessSink.write(g);
    await finessSink.end();
    await finished(finessStream);
    lines[finessName] = finessSink.lines;

    const equipmentName = `etalab-cs1100505-stock-${stamp.slice(0, 8)}-${stamp.slice(8)}.csv`;
    const equipmentStream = createWriteStream(join(dir, equipmentName));
    const equipmentSink = new LineSink(equipmentStream, encodeCp1252);
    await equipmentSink.write(`finess;etalab;98;${isoDate}`);
    for (const s of openStructures)
      for (const line of equipmentLines(options.seed, structure(options.seed, s)))
        await equipmentSink.write(line);
    await equipmentSink.end();
    await finished(equipmentStream);
    lines[equipmentName] = equipmentSink.lines;

    days.push({ dir, stamp, files: [bundleFile, `${mssName}.zip`, finessName, equipmentName], lines });
  }
  return days;
}
