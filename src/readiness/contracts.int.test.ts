import { expect, it } from 'vitest';
import { describeEachDriver } from '../../test/databases.ts';
import { countAudit, fixtureEj, followedOrganisation } from '../../test/organisation-fixture.ts';
import { addContract, addRole, declareRole, listRoles } from './contracts.ts';
import { loadDashboard } from './dashboard.ts';
import { getOrganisation, type ReadinessActor } from './organisations.ts';

const actor: ReadinessActor = { id: '810000000009', means: 'jeton-confiance' };

describeEachDriver('contract and profiles', (driver) => {
  const t = followedOrganisation(driver);

  it('records the contract and the profiles, refusing inconsistent dates and means', async () => {
    const org = await getOrganisation(t.database, fixtureEj);
    await expect(
      addContract(
        t.database,
        org,
        {
          level: 'EJ',
          finess: '',
          representantLegal: 'Mme R',
          signedOn: '10/03/2025',
          cdeReceivedOn: '01/03/2025',
        },
        actor,
      ),
    ).rejects.toThrow('Contrat refusé : carte CDE reçue avant la signature du contrat.');
    await expect(
      addContract(
        t.database,
        org,
        {
          level: 'EG',
          finess: '750000001',
          representantLegal: '',
          signedOn: '31/02/2025',
          cdeReceivedOn: '',
        },
        actor,
      ),
    ).rejects.toThrow(
      'Contrat refusé : FINESS 750000001 : ce n’est pas un établissement de l’organisme ; représentant légal manquant ; date de signature « 31/02/2025 » invalide (JJ/MM/AAAA attendu).',
    );
    await addContract(
      t.database,
      org,
      {
        level: 'EJ',
        finess: '',
        representantLegal: 'Mme R',
        signedOn: '2025-03-10',
        cdeReceivedOn: '2025-03-28',
      },
      actor,
    );
    const base = {
      finessEg: '',
      email: '',
      healthProfessional: false,
      editorStaff: false,
      declaredVia: '',
      declaredOn: '',
    };
    await expect(
      addRole(
        t.database,
        org,
        {
          ...base,
          role: 'mandataire',
          person: 'M. X',
          card: 'CPE',
          declaredVia: 'F413',
          declaredOn: '2025-04-01',
        },
        actor,
      ),
    ).rejects.toThrow('un mandataire ne se déclare pas par F413');
    await expect(
      addRole(
        t.database,
        org,
        { ...base, role: 'mandataire', person: 'M. X', card: 'CPE', editorStaff: true },
        actor,
      ),
    ).rejects.toThrow('seul un administrateur technique peut être un salarié de l’éditeur');
    await addRole(
      t.database,
      org,
      { ...base, role: 'mandataire', person: 'M. Mandataire', card: 'aucune' },
      actor,
    );
    await addRole(
      t.database,
      org,
      {
        ...base,
        role: 'admin-tech',
        person: 'Technicien éditeur',
        card: 'CPA',
        editorStaff: true,
        declaredVia: 'F413',
        declaredOn: '2025-04-10',
      },
      actor,
    );
    const [mandataire] = (await listRoles(t.database, fixtureEj)).filter((r) => r.role === 'mandataire');
    await expect(
      declareRole(t.database, org, mandataire?.id ?? 0, 'mesHabilitations', '2025-04-01', actor),
    ).rejects.toThrow('M. Mandataire n’a pas encore de carte');
    const d = await loadDashboard(t.database, fixtureEj);
    expect(
      d.establishments[0]?.readiness.services[0]?.missing.map((s) => `${s.id}:${s.via}`).slice(0, 1),
    ).toEqual(['mandataire:F301']);
    expect(await countAudit(t.database, 'readiness.role.add')).toBe(2);
  });
});
