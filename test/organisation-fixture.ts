import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import type { Database, DriverName } from '../src/db/connect.ts';
import { luhnKey } from '../src/directory/identifiers.ts';
import { createOrganisation } from '../src/readiness/organisations.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

/** An RPPS idNat_PS (8 + 11 digits with its Luhn key) from a 10-digit body. */
export const rppsIdNat = (body: string) => `8${body}${luhnKey(body)}`;

export const fixtureEj = '690000011';
/** Three EGs: an open EHPAD, an IME whose record lacks a phone number, a closed SAAD (CD competence). */
export const fixtureEgs = ['690000012', '690000014', '690000016'] as const;

const common = { row_hash: 'x', created_import: 1, changed_import: 1 };

/**
 * A second EJ whose three EGs are all open ESMS (EHPAD, IME, SSIAD): what the demo looks for in a directory.
 */
export async function seedOpenOrganisation(database: Database, ej = '130000011'): Promise<string[]> {
  const egs = [`${ej.slice(0, 8)}2`, `${ej.slice(0, 8)}4`, `${ej.slice(0, 8)}6`];
  for (const [i, code] of ['500', '183', '354'].entries())
    await sql`insert into dir_structure (finess, finess_ej, raison_sociale, categorie_code, voie, code_postal,
        commune, telephone, siret, row_hash, created_import, changed_import, changed_at)
      values (${egs[i]}, ${ej}, ${`ETABLISSEMENT ${i + 1}`}, ${code}, 'RUE DU PORT', '13002', 'MARSEILLE',
        '0491000000', ${`3000000130000${i}`}, 'x', 1, 1, now())`.execute(database.db);
  return egs;
}

/**
 * A directory holding just what the prerequisites need: the three EGs of one EJ, two professionals working at
 * the first one (one with a personal MSSanté mailbox) and a homonym elsewhere.
 */
export async function seedOrganisationDirectory(database: Database): Promise<void> {
  const sites = [
    [fixtureEgs[0], 'EHPAD LES TILLEULS', '500', 'EHPAD', '0478000000', true],
    [fixtureEgs[1], 'IME LES SOURCES', '183', 'IME', null, true],
    [fixtureEgs[2], 'SAAD LES CHEMINS', '460', 'SAAD', '0478000002', false],
  ] as const;
  for (const [finess, name, code, label, phone, active] of sites)
    await sql`insert into dir_structure (finess, finess_ej, raison_sociale, categorie_code, categorie, voie,
        code_postal, commune, departement, telephone, siret, active, deactivated_at, row_hash, created_import,
        changed_import, changed_at)
      values (${finess}, ${fixtureEj}, ${name}, ${code}, ${label}, 'RUE DES LILAS', '69003', 'LYON', '69',
        ${phone}, ${`300000012${finess.slice(-5)}`}, ${active}, ${active ? null : new Date('2026-03-02T10:00:00Z')},
        ${common.row_hash}, 1, 1, now())`.execute(database.db);
  const people = [
    [rppsIdNat('1000000001'), 'DUPONT', 'Anne', fixtureEgs[0]],
    [rppsIdNat('1000000002'), 'BERNARD', 'Marc', fixtureEgs[0]],
    [rppsIdNat('1000000003'), 'BERNARD', 'Marc', '750000001'],
  ] as const;
  for (const [idNat, nom, prenom, site] of people) {
    await sql`insert into dir_professional (id_nat, nom_exercice, prenom_exercice, row_hash, created_import,
        changed_import, changed_at)
      values (${idNat}, ${nom}, ${prenom}, 'x', 1, 1, now()) on conflict do nothing`.execute(database.db);
    await sql`insert into dir_activity (key, id_nat, nom_exercice, prenom_exercice, finess_site, row_hash,
        created_import, changed_import, changed_at)
      values (${`${idNat}|${site}`}, ${idNat}, ${nom}, ${prenom}, ${site}, 'x', 1, 1, now())`.execute(
      database.db,
    );
  }
  await sql`insert into dir_mailbox (key, type, adresse, id_nat, row_hash, created_import, changed_import, changed_at)
    values ('mb1', 'PER', 'anne.dupont@ehpad-tilleuls.mssante.fr', ${rppsIdNat('1000000001')}, 'x', 1, 1, now())`.execute(
    database.db,
  );
}

/** How many audit events of one action the trail holds. */
export async function countAudit(database: Database, action: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from audit_event where action = ${action}`.execute(database.db);
  return r.rows[0]?.n ?? 0;
}

/**
 * A test database per driver holding the fixture directory and the organisme followed from it, made before the
 * suite's tests and dropped after them.
 */
export function followedOrganisation(driver: DriverName): { readonly database: Database } {
  let t: TestDatabase | undefined;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await seedOrganisationDirectory(t.database);
    await createOrganisation(
      t.database,
      { finess: fixtureEj, raisonSociale: 'Association Les Tilleuls' },
      { id: '810000000009', means: 'jeton-confiance' },
    );
  }, 60_000);
  afterAll(async () => t?.drop());
  return {
    get database() {
      if (!t) throw new Error('database not ready');
      return t.database;
    },
  };
}
