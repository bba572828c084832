import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';
import { syntheticIdentities, traitsOf } from '../sandbox/synthetic-identities.ts';
import type { InsiClient } from './insi/client.ts';
import { retrieveIns } from './qualify.ts';
import { applyIdentityEvent, createUsager, type IdentityActor } from './usagers.ts';
import { scanForDuplicates } from './vigilance.ts';

const actor: IdentityActor = {
  kind: 'system',
  id: 'demonstration',
  structureFiness: '920000000',
  means: 'démonstration',
};

/**
 * The demo's usagers, on a first start: synthetic people the sandbox's INSi knows, at every RNIV status (some
 * still provisional, some checked on a document, some qualified through INSi), and a look-alike pair to review.
 * Later starts keep what is there.
 */
export async function ensureDemoUsagers(database: Database, insi: InsiClient | null): Promise<number> {
  const existing = await sql<{ n: number }>`select count(*)::int as n from usager`.execute(database.db);
  if ((existing.rows[0]?.n ?? 0) > 0) return 0;
  const people = syntheticIdentities(24, 1);
  for (const [i, p] of people.entries()) {
    const u = await createUsager(
      database,
      {
        traits: traitsOf(p),
        structureFiness: i % 3 === 0 ? '920000000' : '950000002',
      },
      actor,
    );
    if (i % 4 === 1 || i % 4 === 2)
      await applyIdentityEvent(
        database,
        u.id,
        { type: 'document-checked', mode: i % 2 ? 'CN' : 'PA', by: actor.id, at: new Date().toISOString() },
        actor,
      );
    if (insi && i % 2 === 1) await retrieveIns(database, u.id, insi, actor);
  }
  const first = people[0];
  if (first) {
    const twin = await createUsager(
      database,
      {
        traits: {
          nomNaissance: `${first.nomNaissance}E`,
          prenomsNaissance: first.prenoms,
          sexe: first.sexe,
          dateNaissance: first.dateNaissance,
          lieuNaissance: first.lieuNaissance,
        },
        structureFiness: '920000000',
      },
      actor,
    );
    await scanForDuplicates(database, twin.id);
  }
  return people.length + 1;
}
