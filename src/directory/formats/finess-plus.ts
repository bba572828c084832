import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parser } from 'stream-json';
import pick from 'stream-json/filters/pick.js';
import streamArray from 'stream-json/streamers/stream-array.js';
import { isFiness, isSiret } from '../identifiers.ts';
import { FormatError } from './lines.ts';
import type { Reject } from './table.ts';

/**
 * FINESS+ open data, `schema-structures-v1` (ansforge/finess `flux/out/data.gouv/structure`): a JSON object whose
 * `pmej` array holds legal entities (`informationsGeneralesPMEJ`) and their geographic entities (`ege[]`, with
 * `informationsGeneralesEGE`, `adresse[]`, `contact[]`, `etatObjet`). Read as a stream, one legal entity at a time,
 * so memory does not grow with the file. Gzip is detected by its magic bytes.
 */
export const fileName = /^(?:exemple-)?finess-structures-[a-z]+-(\d{8})\.json(?:\.gz)?$/i;

interface Address {
  usageAdresse?: string;
  numeroVoie?: string;
  typeVoie?: string;
  libelleVoie?: string;
  complementVoie?: string;
  lieuDit?: string;
  cogCommune?: string;
  ligneAcheminement?: string;
  codePostal?: string;
  coordonneesGeographique?: { directionLatitude?: string; directionLongitude?: string };
}

interface Contact {
  telecom?: { telephone?: string; telecopie?: string };
}

interface Ege {
  informationsGeneralesEGE?: {
    numFinessEge?: string;
    nomEgeCourt?: string;
    nomEgeLong?: string;
    siret?: string;
    dateOuverture?: string;
    datePremiereAutorisation?: string;
    dateFermeture?: string;
  };
  categorieEntiteGeographiqueExercice?: string;
  categorieentiteGeographiqueExercice?: string;
  modeFixationTarifaire?: string;
  modefixationtarifaire?: string;
  adresse?: Address[];
  contact?: Contact[];
  etatObjet?: string;
  dateDerniereMaj?: string;
}

interface Pmej {
  informationsGeneralesPMEJ?: { numFinessPm?: string };
  informationsGeneralesPmej?: { numFinessPm?: string };
  ege?: Ege[];
}

const text = (v: string | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

/** COG commune code → département (2 or 3 characters) and commune number, as in the etalab file. */
function splitCog(cog: string | null): [string | null, string | null] {
  if (!cog) return [null, null];
  return cog.startsWith('97') || cog.startsWith('98')
    ? [cog.slice(0, 3), cog.slice(3)]
    : [cog.slice(0, 2), cog.slice(2)];
}

async function* decompressed(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return;
  const rest = (async function* () {
    yield first.value;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
  if (first.value[0] === 0x1f && first.value[1] === 0x8b) yield* Readable.from(rest).pipe(createGunzip());
  else yield* rest;
}

/** Yields active EGs as staged structure rows (same columns as the etalab reader, coordinates included). */
export async function* readFinessPlus(
  file: string,
  source: AsyncIterable<Uint8Array>,
  reject: (r: Reject) => void,
): AsyncGenerator<{ line: number; values: Array<string | number | null> }> {
  const input = Readable.from(decompressed(source));
  const tokens = parser.asStream();
  const picked = pick.asStream({ filter: 'pmej' });
  const items = input.pipe(tokens).pipe(picked).pipe(streamArray.asStream());
  // pipe() does not forward errors: a failure anywhere ends the iteration with that error.
  for (const stage of [input, tokens, picked]) stage.on('error', (error: Error) => items.destroy(error));
  let entities = 0;
  try {
    for await (const { key, value } of items as AsyncIterable<{ key: number; value: Pmej }>) {
      entities++;
      const line = key + 1;
      const ej = text((value.informationsGeneralesPMEJ ?? value.informationsGeneralesPmej)?.numFinessPm);
      if (!ej || !isFiness(ej)) {
        reject({ file, line, reason: `pmej[${key}] : numFinessPm invalide « ${ej ?? ''} »` });
        continue;
      }
      for (const [i, ege] of (value.ege ?? []).entries()) {
        const info = ege.informationsGeneralesEGE ?? {};
        if (ege.etatObjet !== 'A' || text(info.dateFermeture)) continue;
        const finess = text(info.numFinessEge);
        if (!finess || !isFiness(finess)) {
          reject({
            file,
            line,
            reason: `pmej[${key}].ege[${i}] : numFinessEge invalide « ${finess ?? ''} »`,
          });
          continue;
        }
        const siret = text(info.siret);
        if (siret && !isSiret(siret)) {
          reject({ file, line, reason: `pmej[${key}].ege[${i}] : SIRET invalide « ${siret} »` });
          continue;
        }
        const a = ege.adresse?.[0] ?? {};
        const [departement, commune] = splitCog(text(a.cogCommune));
        const lat = Number(a.coordonneesGeographique?.directionLatitude);
        const lon = Number(a.coordonneesGeographique?.directionLongitude);
        const located =
          Number.isFinite(lat) && Number.isFinite(lon) && a.coordonneesGeographique?.directionLatitude;
        const telecom = ege.contact?.find((c) => c.telecom)?.telecom;
        const postal = text(a.codePostal);
        const town = text(a.ligneAcheminement);
        yield {
          line,
          values: [
            finess,
            ej,
            text(info.nomEgeCourt),
            text(info.nomEgeLong),
            null,
            null,
            text(a.numeroVoie),
            text(a.typeVoie),
            text(a.libelleVoie),
            text(a.complementVoie),
            text(a.lieuDit),
            commune,
            departement,
            null,
            [postal, town].filter(Boolean).join(' ') || null,
            postal,
            text(telecom?.telephone),
            text(telecom?.telecopie),
            text(ege.categorieEntiteGeographiqueExercice ?? ege.categorieentiteGeographiqueExercice),
            null,
            null,
            null,
            siret,
            null,
            text(ege.modeFixationTarifaire ?? ege.modefixationtarifaire),
            null,
            null,
            null,
            text(info.dateOuverture),
            text(info.datePremiereAutorisation),
            text(ege.dateDerniereMaj)?.slice(0, 10) ?? null,
            null,
            located ? lat : null,
            located ? lon : null,
            located ? 'FINESS+ (BAN)' : null,
          ],
        };
      }
    }
  } catch (error) {
    throw new FormatError(
      file,
      entities + 1,
      `JSON FINESS+ illisible (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (entities === 0)
    throw new FormatError(file, 1, 'aucune entité juridique (tableau « pmej » absent ou vide)');
}
