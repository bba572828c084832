import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';
import { phoneticKey } from './phonetic.ts';
import type { TraitsStricts } from './traits.ts';
import { applyIdentityEvent, audit, getUsager, type IdentityActor, type Usager } from './usagers.ts';

/** The trigrams of a word as pg_trgm cuts them (two spaces before, one after), for a similarity in [0, 1]. */
function trigrams(text: string): Set<string> {
  const set = new Set<string>();
  for (const word of text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)) {
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) set.add(padded.slice(i, i + 3));
  }
  return set;
}

export function similarity(a: string, b: string): number {
  const ta = trigrams(a);
  const tb = trigrams(b);
  if (ta.size === 0 || tb.size === 0) return 0;
  let common = 0;
  for (const t of ta) if (tb.has(t)) common++;
  return common / (ta.size + tb.size - common);
}

export interface Resemblance {
  score: number;
  reasons: string[];
}

/**
 * How much two identities look like the same person. Same birth date and sex are required; then names that
 * sound alike or share most trigrams, and the first given name likewise. A score of 1 is a certain duplicate.
 */
export function resemblance(a: TraitsStricts, b: TraitsStricts): Resemblance | null {
  if (a.dateNaissance !== b.dateNaissance || a.sexe !== b.sexe) return null;
  const reasons: string[] = [];
  const sameName = a.nomNaissance === b.nomNaissance;
  const phoneticName = phoneticKey(a.nomNaissance) === phoneticKey(b.nomNaissance);
  const nameScore = sameName ? 1 : phoneticName ? 0.9 : similarity(a.nomNaissance, b.nomNaissance);
  if (nameScore < 0.5) return null;
  const firstScore =
    a.premierPrenom === b.premierPrenom
      ? 1
      : phoneticKey(a.premierPrenom) === phoneticKey(b.premierPrenom)
        ? 0.9
        : similarity(a.premierPrenom, b.premierPrenom);
  if (firstScore < 0.5) return null;
  reasons.push(
    sameName ? 'même nom de naissance' : phoneticName ? 'noms phonétiquement identiques' : 'noms proches',
  );
  reasons.push(firstScore === 1 ? 'même premier prénom' : 'premiers prénoms proches');
  if (a.lieuNaissance === b.lieuNaissance) reasons.push('même lieu de naissance');
  const place = a.lieuNaissance === b.lieuNaissance ? 1 : 0.8;
  return {
    score: Math.round(nameScore * firstScore * place * 100) / 100,
    reasons: ['même date de naissance et même sexe', ...reasons],
  };
}

export interface ReviewItem {
  id: number;
  a: Usager;
  b: Usager;
  reason: string;
  score: number;
  status: 'pending' | 'merged' | 'distinct';
}

/**
 * Looks for identities that may be the usager's duplicates or homonyms (same birth date and sex, then names by
 * sound and trigrams) and puts each new pair in the review queue. Returns the pairs found.
 */
export async function scanForDuplicates(database: Database, id: string): Promise<ReviewItem[]> {
  const usager = await getUsager(database, id);
  const candidates = await sql<{ id: string }>`
    select id from usager
    where id <> ${id} and merged_into is null and date_naissance = ${usager.traits.dateNaissance}
      and sexe = ${usager.traits.sexe}
      and (nom_phonetique = ${phoneticKey(usager.traits.nomNaissance)} or similarity(nom_naissance, ${usager.traits.nomNaissance}) >= 0.4)
    limit 50`.execute(database.db);
  const found: ReviewItem[] = [];
  for (const c of candidates.rows) {
    const other = await getUsager(database, c.id);
    const r = resemblance(usager.traits, other.traits);
    if (!r) continue;
    const [a, b] = usager.id < other.id ? [usager, other] : [other, usager];
    const inserted = await sql<{ id: number }>`
      insert into usager_review (usager_a, usager_b, reason, score) values (${a.id}, ${b.id}, ${r.reasons.join(', ')}, ${r.score})
      on conflict (usager_a, usager_b) do nothing returning id`.execute(database.db);
    const reviewId = inserted.rows[0]?.id;
    if (reviewId !== undefined)
      found.push({ id: reviewId, a, b, reason: r.reasons.join(', '), score: r.score, status: 'pending' });
  }
  return found;
}

export async function reviewQueue(
  database: Database,
  status: ReviewItem['status'] = 'pending',
): Promise<ReviewItem[]> {
  const rows = await sql<{
    id: number;
    usager_a: string;
    usager_b: string;
    reason: string;
    score: number;
    status: ReviewItem['status'];
  }>`
    select id, usager_a, usager_b, reason, score, status from usager_review where status = ${status}
    order by score desc, id`.execute(database.db);
  const items: ReviewItem[] = [];
  for (const r of rows.rows)
    items.push({ ...r, a: await getUsager(database, r.usager_a), b: await getUsager(database, r.usager_b) });
  return items;
}

export class VigilanceError extends Error {
  override name = 'VigilanceError';
}

/**
 * Merges a duplicate into the identity kept: nothing is deleted, the duplicate points at the kept one (and its
 * FHIR Patient says `replaced-by`), so the merge can be undone. Two identities with different INS are never the
 * same person; when only one has an INS, it is the one to keep.
 */
export async function mergeUsagers(
  database: Database,
  keepId: string,
  duplicateId: string,
  actor: IdentityActor,
): Promise<void> {
  const keep = await getUsager(database, keepId);
  const duplicate = await getUsager(database, duplicateId);
  const refuse = async (reason: string) => {
    await audit(database, actor, 'identity.merge', 'denied', duplicateId, { kept: keepId, reason });
    throw new VigilanceError(reason);
  };
  if (keepId === duplicateId) return refuse('Une identité ne peut être fusionnée avec elle-même.');
  if (keep.mergedInto || duplicate.mergedInto) return refuse('Une des deux identités est déjà fusionnée.');
  if (keep.ins && duplicate.ins && keep.ins.matricule !== duplicate.ins.matricule)
    return refuse('Les deux identités portent des INS différents : ce ne sont pas la même personne.');
  if (!keep.ins && duplicate.ins)
    return refuse('Gardez l’identité qui porte l’INS, et fusionnez l’autre avec elle.');
  await database.db.transaction().execute(async (trx) => {
    await sql`update usager set merged_into = ${keepId}, updated_at = now() where id = ${duplicateId}`.execute(
      trx,
    );
    await sql`update usager_review set status = 'merged', decided_by = ${actor.id}, decided_at = now()
      where (usager_a = ${keepId} and usager_b = ${duplicateId}) or (usager_a = ${duplicateId} and usager_b = ${keepId})`.execute(
      trx,
    );
  });
  await audit(database, actor, 'identity.merge', 'success', duplicateId, { kept: keepId });
}

export async function unmergeUsager(
  database: Database,
  duplicateId: string,
  actor: IdentityActor,
): Promise<void> {
  const duplicate = await getUsager(database, duplicateId);
  if (!duplicate.mergedInto) throw new VigilanceError('Cette identité n’est fusionnée avec aucune autre.');
  const kept = duplicate.mergedInto;
  await database.db.transaction().execute(async (trx) => {
    await sql`update usager set merged_into = null, updated_at = now() where id = ${duplicateId}`.execute(
      trx,
    );
    await sql`update usager_review set status = 'pending', decided_by = null, decided_at = null
      where (usager_a = ${kept} and usager_b = ${duplicateId}) or (usager_a = ${duplicateId} and usager_b = ${kept})`.execute(
      trx,
    );
  });
  await audit(database, actor, 'identity.unmerge', 'success', duplicateId, { kept });
}

/** Two different people who look alike: both carry the HOMA attribute (homonyme avéré) from then on. */
export async function markDistinct(
  database: Database,
  reviewId: number,
  actor: IdentityActor,
): Promise<void> {
  const row = (
    await sql<{
      usager_a: string;
      usager_b: string;
    }>`select usager_a, usager_b from usager_review where id = ${reviewId}`.execute(database.db)
  ).rows[0];
  if (!row) throw new VigilanceError(`Paire ${reviewId} inconnue.`);
  await sql`update usager_review set status = 'distinct', decided_by = ${actor.id}, decided_at = now() where id = ${reviewId}`.execute(
    database.db,
  );
  for (const id of [row.usager_a, row.usager_b])
    await applyIdentityEvent(database, id, { type: 'attribute-set', attribute: 'HOMA' }, actor);
  await audit(database, actor, 'identity.homonyms', 'success', row.usager_a, {
    other: row.usager_b,
    review: reviewId,
  });
}
