import { expect, it } from 'vitest';
import { describeEachDriver } from '../../test/databases.ts';
import {
  countAudit,
  fixtureEgs,
  fixtureEj,
  followedOrganisation,
  rppsIdNat,
} from '../../test/organisation-fixture.ts';
import { loadDashboard } from './dashboard.ts';
import { getOrganisation, type ReadinessActor } from './organisations.ts';
import { importStaffCsv, listStaff, StaffImportError } from './staff.ts';

const actor: ReadinessActor = { id: '810000000009', means: 'jeton-confiance' };

describeEachDriver('staff registry', (driver) => {
  const t = followedOrganisation(driver);

  it('imports the staff file all or nothing, finds numbers in the directory, updates on re-import', async () => {
    const org = await getOrganisation(t.database, fixtureEj);
    const header =
      'matricule;nom;prénom;fonction;finess;date entrée;date sortie;courriel;mobile;rpps;carte;e-cps;qualifie ins';
    const bad = [
      header,
      `M1;DUPONT;Anne;Infirmière;${fixtureEgs[0]};01/01/2020;;;;;;;`,
      'M2;;Jean;AES;999999999;2020;;;;;;;',
    ].join('\n');
    const refused = await importStaffCsv(t.database, org, bad, actor).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StaffImportError);
    expect((refused as StaffImportError).lines.map((l) => l.line)).toEqual([3, 3, 3]);
    expect(await listStaff(t.database, fixtureEj)).toEqual([]);
    const good = [
      header,
      `M1;Dupont;Anne;Infirmière;${fixtureEgs[0]};01/01/2020;;a.dupont@exemple.fr;0611223344;;e-CPS;oui;non`,
      `M2;BERNARD;Marc;Aide-soignant;${fixtureEgs[0]};01/02/2021;;;;;;;oui`,
      `M3;PETIT;Luc;Accompagnant éducatif et social;${fixtureEgs[0]};01/02/2021;;l.petit@exemple.fr;0611223355;;;;`,
      `M4;ROUX;Léa;Psychologue;${fixtureEgs[1]};01/02/2021;;;;;;;`,
      `M5;GIRARD;Paul;Cuisinier;${fixtureEgs[1]};01/02/2021;;;;;;;`,
    ].join('\n');
    expect(await importStaffCsv(t.database, org, good, actor)).toEqual({
      created: 5,
      updated: 0,
      matched: 2,
    });
    const staff = await listStaff(t.database, fixtureEj);
    expect(staff.find((s) => s.matricule === 'M1')).toMatchObject({
      idNat: rppsIdNat('1000000001'),
      idNatSource: 'annuaire',
      inDirectory: true,
      mailboxes: ['anne.dupont@ehpad-tilleuls.mssante.fr'],
      authority: 'Ordre',
    });
    expect(staff.find((s) => s.matricule === 'M2')?.idNat).toBe(rppsIdNat('1000000002'));
    expect(await importStaffCsv(t.database, org, good.replace('Cuisinier', 'Cuisinier chef'), actor)).toEqual(
      {
        created: 0,
        updated: 5,
        matched: 0,
      },
    );
    expect((await listStaff(t.database, fixtureEj)).length).toBe(5);
    const eg0 = (await loadDashboard(t.database, fixtureEj)).establishments[0];
    expect(eg0?.coverage).toMatchObject({
      total: 3,
      concerned: 3,
      withNumber: 2,
      awaitingRppsPlus: 1,
      eCpsActive: 1,
      withMailbox: 1,
    });
    expect(await countAudit(t.database, 'readiness.staff.import')).toBe(3);
  });
});
