import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import {
  countAudit,
  fixtureEgs,
  fixtureEj,
  seedOrganisationDirectory,
} from '../../test/organisation-fixture.ts';
import { loadDashboard } from './dashboard.ts';
import { createOrganisation, type ReadinessActor } from './organisations.ts';

const actor: ReadinessActor = { id: '810000000009', means: 'jeton-confiance' };

describeEachDriver('organismes followed from the directory', (driver) => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await seedOrganisationDirectory(t.database);
  }, 60_000);
  afterAll(async () => t?.drop());

  it('follows an organisme from one EG’s FINESS, with its EGs and their FINESS problems', async () => {
    await expect(createOrganisation(t.database, { finess: '999999999' }, actor)).rejects.toThrow(
      'FINESS 999999999 inconnu de l’annuaire',
    );
    await expect(createOrganisation(t.database, { finess: '12' }, actor)).rejects.toThrow(
      'n’est pas un numéro FINESS',
    );
    const org = await createOrganisation(
      t.database,
      { finess: fixtureEgs[1], raisonSociale: 'Association Les Tilleuls' },
      actor,
    );
    expect(org.finessEj).toBe(fixtureEj);
    expect(org.establishments.map((e) => e.finess)).toEqual([...fixtureEgs]);
    await expect(createOrganisation(t.database, { finess: fixtureEj }, actor)).rejects.toThrow('déjà suivi');
    const d = await loadDashboard(t.database, fixtureEj);
    const blocked = (i: number) => d.establishments[i]?.readiness.services[0];
    expect(blocked(1)?.missing[0]).toMatchObject({ id: 'finess', who: 'Délégation départementale de l’ARS' });
    expect(blocked(1)?.missing[0]?.label).toContain('téléphone absent');
    expect(blocked(2)?.missing[0]).toMatchObject({ id: 'finess', who: 'Conseil départemental' });
    expect(blocked(2)?.missing[0]?.label).toContain('site fermé (retiré de FINESS le 02/03/2026)');
    expect(blocked(0)?.missing[0]?.id).toBe('contrat');
    expect(await countAudit(t.database, 'readiness.organisation.create')).toBe(1);
  });
});
