import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { patient } from './fhir.ts';
import { parseTraits } from './traits.ts';
import { createUsager, getUsager, type IdentityActor, saveIdentity } from './usagers.ts';
import {
  markDistinct,
  mergeUsagers,
  resemblance,
  reviewQueue,
  scanForDuplicates,
  similarity,
  unmergeUsager,
  VigilanceError,
} from './vigilance.ts';

const actor: IdentityActor = {
  kind: 'professional',
  id: '810000000009',
  structureFiness: '920000000',
  means: 'e-CPS',
};
const t = (nom: string, prenoms: string, date = '1950-03-04', lieu = '75056', sexe = 'F') =>
  parseTraits({
    nomNaissance: nom,
    prenomsNaissance: prenoms,
    sexe,
    dateNaissance: date,
    lieuNaissance: lieu,
  });

describe('resemblance of identities', () => {
  it.each([
    ['Dupont and Dupond', t('Dupont', 'Marie'), t('Dupond', 'Marie'), true],
    ['Gauthier and Gotier', t('Gauthier', 'Anne'), t('Gotier', 'Anne'), true],
    ['born in two places', t('Martin', 'Claire'), t('Martin', 'Claire', '1950-03-04', '13055'), true],
    ['born on two dates', t('Martin', 'Claire'), t('Martin', 'Claire', '1951-03-04'), false],
    ['two names', t('Martin', 'Claire'), t('Bernard', 'Claire'), false],
    ['two first names', t('Martin', 'Claire'), t('Martin', 'Sophie'), false],
  ])('%s: look-alike %#', (_label, a, b, expected) => {
    expect(resemblance(a, b) !== null).toBe(expected);
  });

  it('measures trigram similarity as pg_trgm does', () => {
    expect(similarity('DUPONT', 'DUPONT')).toBe(1);
    expect(similarity('DUPONT', 'DUPOND')).toBeCloseTo(5 / 9, 5);
    expect(similarity('', 'X')).toBe(0);
  });
});

describeEachDriver('identitovigilance', (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(driver);
  });
  afterAll(() => db.drop());

  it('queues look-alikes for review, merges and unmerges them with full audit', async () => {
    const traits = {
      nomNaissance: 'Dupont',
      prenomsNaissance: 'Marie',
      sexe: 'F',
      dateNaissance: '1950-03-04',
      lieuNaissance: '75056',
    };
    const first = await createUsager(db.database, { traits }, actor);
    const second = await createUsager(db.database, { traits: { ...traits, nomNaissance: 'Dupond' } }, actor);
    await createUsager(db.database, { traits: { ...traits, nomNaissance: 'Durand' } }, actor);
    const found = await scanForDuplicates(db.database, second.id);
    expect(found).toHaveLength(1);
    expect(found[0]?.reason).toContain('noms phonétiquement identiques');
    expect(await scanForDuplicates(db.database, second.id)).toEqual([]);
    expect((await reviewQueue(db.database)).map((r) => [r.a.id, r.b.id].sort())).toEqual([
      [first.id, second.id].sort(),
    ]);

    await mergeUsagers(db.database, first.id, second.id, actor);
    const merged = await getUsager(db.database, second.id);
    expect(merged.mergedInto).toBe(first.id);
    expect(patient(merged, 'https://x').link).toEqual([
      { other: { reference: `Patient/${first.id}` }, type: 'replaced-by' },
    ]);
    expect(await reviewQueue(db.database)).toEqual([]);
    await unmergeUsager(db.database, second.id, actor);
    expect((await getUsager(db.database, second.id)).mergedInto).toBeNull();
    expect(await reviewQueue(db.database)).toHaveLength(1);
  });

  it('never merges two different INS, and keeps the identity that holds one', async () => {
    const traits = {
      nomNaissance: 'Jumeau',
      prenomsNaissance: 'Jean',
      sexe: 'M',
      dateNaissance: '1972-01-30',
      lieuNaissance: '69123',
    };
    const a = await createUsager(db.database, { traits }, actor);
    const b = await createUsager(db.database, { traits }, actor);
    const withIns = (await getUsager(db.database, a.id)).identity;
    await saveIdentity(db.database, a.id, withIns, {
      matricule: '1720169123456',
      cle: '11',
      oid: '1.2.250.1.213.1.4.8',
      histo: [],
    });
    await saveIdentity(db.database, b.id, withIns, {
      matricule: '1720113055321',
      cle: '22',
      oid: '1.2.250.1.213.1.4.8',
      histo: [],
    });
    await expect(mergeUsagers(db.database, a.id, b.id, actor)).rejects.toThrow(/INS différents/);
    const c = await createUsager(db.database, { traits }, actor);
    await expect(mergeUsagers(db.database, c.id, a.id, actor)).rejects.toThrow(VigilanceError);
    const [pair] = await scanForDuplicates(db.database, b.id);
    await markDistinct(db.database, pair?.id ?? 0, actor);
    expect((await getUsager(db.database, b.id)).identity.attributes).toEqual(['HOMA']);
  });
});
