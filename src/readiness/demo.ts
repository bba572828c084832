import { sql } from 'kysely';
import type { Database } from '../db/connect.ts';
import { Random } from '../directory/generate/random.ts';
import { luhnKey } from '../directory/identifiers.ts';
import type { InsiClient } from '../identity/insi/client.ts';
import { retrieveIns } from '../identity/qualify.ts';
import { applyIdentityEvent, createUsager, type IdentityActor } from '../identity/usagers.ts';
import { createTestPki } from '../sandbox/pki.ts';
import { syntheticIdentities, traitsOf } from '../sandbox/synthetic-identities.ts';
import { addCertificate, markInstalled } from './certificate-store.ts';
import { parseCertificate } from './certificates.ts';
import { addContract, addRole } from './contracts.ts';
import {
  createOrganisation,
  getOrganisation,
  type ReadinessActor,
  updateEstablishment,
  updateOrganisation,
} from './organisations.ts';
import { saveStaff } from './staff.ts';
import type { StaffInput } from './staff-input.ts';

const rpps = (body: string) => `8${body}${luhnKey(body)}`;
const actor: ReadinessActor = { id: 'demonstration', means: 'démonstration' };

const functions = [
  'Aide-soignant',
  'Aide-soignante',
  'Accompagnant éducatif et social',
  'Aide médico-psychologique',
  'Infirmière',
  'Infirmier',
  'Éducateur spécialisé',
  'Psychologue',
  'Ergothérapeute',
  'Secrétaire médicale',
  'Agent administratif',
  'Agent des services hospitaliers',
  'Cuisinier',
];
const noms = [
  'LEFEBVRE',
  'MOREAU',
  'GARNIER',
  'FAURE',
  'ROUSSEL',
  'BLANC',
  'GUERIN',
  'MULLER',
  'HENRY',
  'ROUX',
  'COLIN',
  'VIDAL',
  'ARNAUD',
  'GIRARD',
  'BONNET',
];
const prenoms = [
  'Camille',
  'Léa',
  'Hugo',
  'Manon',
  'Nathan',
  'Chloé',
  'Lucas',
  'Inès',
  'Jules',
  'Sarah',
  'Louis',
  'Zoé',
  'Adam',
  'Emma',
];

/** Stage of each demo EG: 0 nearly ready, 1 under way, 2 not started (no contract: blocked). */
function staffOf(
  eg: string,
  stage: number,
  count: number,
  professionals: Array<{ nom: string; prenom: string }>,
) {
  const r = new Random(7, stage, count);
  const staff: StaffInput[] = professionals.map((p, i) => ({
    matricule: `${eg.slice(-4)}-P${i + 1}`,
    nom: p.nom,
    prenom: p.prenom,
    fonction: 'Infirmier',
    finessEg: eg,
    startDate: '2019-09-01',
    endDate: null,
    email: stage < 2 ? `pro${i + 1}.${eg}@exemple.fr` : null,
    mobile: stage < 2 ? `+3361234${String(1000 + i).slice(-4)}` : null,
    idNat: null,
    card: stage === 0 ? 'e-CPS' : 'aucune',
    eCpsActive: stage === 0,
    cardAgent: false,
  }));
  for (let i = 0; i < count; i++) {
    const fonction = functions[r.int(functions.length)] as string;
    const numbered = stage === 0 ? r.chance(0.9) : stage === 1 ? r.chance(0.4) : false;
    const contacts = stage === 0 || r.chance(0.6);
    staff.push({
      matricule: `${eg.slice(-4)}-${String(i + 1).padStart(3, '0')}`,
      nom: noms[r.int(noms.length)] as string,
      prenom: prenoms[r.int(prenoms.length)] as string,
      fonction,
      finessEg: eg,
      startDate: `20${10 + r.int(15)}-0${1 + r.int(9)}-1${r.int(9)}`,
      endDate: r.chance(0.05) ? '2025-06-30' : null,
      email: contacts ? `agent${i + 1}.${eg}@exemple.fr` : null,
      mobile: contacts ? `+336${r.digits(8)}` : null,
      idNat: numbered ? rpps(`1${r.digits(9)}`) : null,
      card: i < 3 ? 'CPE' : 'aucune',
      eCpsActive: numbered && stage === 0 && r.chance(0.8),
      cardAgent: i < 3,
    });
  }
  return staff;
}

/**
 * The demo's organisme gestionnaire, on a first start: an EJ of the synthetic directory with three EGs at three
 * stages of the journey (nearly ready, under way, not started), its contract, profiles, staff, certificates from
 * the sandbox's test PKI, and a few usagers. Later starts keep what is there.
 */
export async function ensureDemoOrganisation(
  database: Database,
  insi: InsiClient | null,
): Promise<string | null> {
  const existing = await sql`select 1 from org_organisation limit 1`.execute(database.db);
  if (existing.rows.length > 0) return null;
  const candidate = await sql<{ finess_ej: string }>`select finess_ej from dir_structure
    group by finess_ej having count(*) = 3 and bool_and(active) and bool_or(categorie_code in ('500', '183', '354', '437', '255', '246'))
    order by finess_ej limit 1`.execute(database.db);
  const ej = candidate.rows[0]?.finess_ej;
  if (!ej) return null;
  const created = await createOrganisation(
    database,
    { finess: ej, raisonSociale: 'Association Les Amandiers (démonstration)' },
    actor,
  );
  const siret = created.establishments[0]?.record?.siret ?? null;
  await updateOrganisation(
    database,
    ej,
    {
      raisonSociale: created.raisonSociale,
      siret,
      legalRepActsAlone: false,
      rppsPlusMode: 'centralise',
      editor: {
        name: 'DUI Exemple (éditeur fictif)',
        insWithCertificate: true,
        dmpWithCertificate: true,
        supportsPsc: true,
      },
      dui: {
        processesHealthData: true,
        shared: false,
        integratesShared: true,
        externalAccess: true,
        newUsagersPerYear: 350,
        professionalsPerYear: 140,
      },
      alertEmails: ['direction@amandiers.exemple.fr'],
    },
    actor,
  );
  const [eg1, eg2, eg3] = created.establishments.map((e) => e.finess) as [string, string, string];
  const stages = [
    {
      identityCharter: true,
      autoHomologation: true,
      documentsIdentified: true,
      usagersInformed: true,
      consentCollected: true,
      mssOperator: 'Opérateur régional (démonstration)',
      mssPartnersIdentified: true,
    },
    {
      identityCharter: true,
      autoHomologation: false,
      documentsIdentified: false,
      usagersInformed: false,
      consentCollected: false,
      mssOperator: 'Opérateur régional (démonstration)',
      mssPartnersIdentified: false,
    },
    {
      identityCharter: false,
      autoHomologation: false,
      documentsIdentified: false,
      usagersInformed: false,
      consentCollected: false,
      mssOperator: null,
      mssPartnersIdentified: false,
    },
  ];
  for (const [i, eg] of [eg1, eg2, eg3].entries())
    await updateEstablishment(database, ej, eg, stages[i] as (typeof stages)[number], actor);

  const org = await getOrganisation(database, ej);
  await addContract(
    database,
    org,
    {
      level: 'EG',
      finess: eg1,
      representantLegal: 'Mme Directrice Générale',
      signedOn: '2025-03-03',
      cdeReceivedOn: '2025-03-24',
    },
    actor,
  );
  await addContract(
    database,
    org,
    {
      level: 'EG',
      finess: eg2,
      representantLegal: 'Mme Directrice Générale',
      signedOn: '2025-10-06',
      cdeReceivedOn: '',
    },
    actor,
  );
  const role = (input: Partial<Parameters<typeof addRole>[2]>) =>
    addRole(
      database,
      org,
      {
        role: 'mandataire',
        finessEg: '',
        person: '',
        email: '',
        card: 'CPE',
        healthProfessional: false,
        editorStaff: false,
        declaredVia: '',
        declaredOn: '',
        ...input,
      },
      actor,
    );
  await role({
    role: 'mandataire',
    person: 'M. Responsable Administratif',
    card: 'CPE',
    declaredVia: 'mesHabilitations',
    declaredOn: '2025-04-02',
  });
  await role({
    role: 'admin-tech',
    person: 'Technicien de l’éditeur',
    card: 'CPA',
    editorStaff: true,
    declaredVia: 'F413',
    declaredOn: '2025-04-15',
  });
  await role({
    role: 'gestionnaire-rpps',
    person: 'Mme Ressources Humaines',
    card: 'CPE',
    finessEg: eg1,
    declaredVia: 'mesHabilitations',
    declaredOn: '2025-05-12',
  });

  const professionals = async (eg: string) =>
    (
      await sql<{
        nom: string;
        prenom: string;
      }>`select distinct nom_exercice as nom, prenom_exercice as prenom
        from dir_activity where finess_site = ${eg} and active and nom_exercice is not null limit 3`.execute(
        database.db,
      )
    ).rows;
  const staff = [
    ...staffOf(eg1, 0, 24, await professionals(eg1)),
    ...staffOf(eg2, 1, 30, await professionals(eg2)),
    ...staffOf(eg3, 2, 18, []),
  ];
  await saveStaff(database, org, staff, actor);

  const pki = await createTestPki();
  const day = 86_400_000;
  const now = Date.now();
  const issued = [
    {
      cn: 'INSI-AUTO',
      usage: 'insi' as const,
      notBefore: new Date(now - 200 * day),
      notAfter: new Date(now + 900 * day),
      installed: true,
    },
    {
      cn: 'DMP AUTHENTIFICATION',
      usage: 'dmp-auth' as const,
      notBefore: new Date(now - 1070 * day),
      notAfter: new Date(now + 25 * day),
      installed: true,
    },
    {
      cn: 'DMP SIGNATURE',
      usage: 'dmp-sign' as const,
      notBefore: new Date(now - 10 * day),
      notAfter: new Date(now + 1085 * day),
      installed: false,
    },
  ];
  for (const c of issued) {
    const cert = await pki.issueOrganisation({
      cn: c.cn,
      ou: `1${ej}`,
      o: 'ASSOCIATION LES AMANDIERS',
      usage: c.usage === 'dmp-sign' ? 'SIGN' : 'AUTH_CLI',
      notBefore: c.notBefore,
      notAfter: c.notAfter,
    });
    const parsed = parseCertificate(new Uint8Array(Buffer.from(cert.certPem)));
    await addCertificate(database, org, parsed, c.usage, actor);
    if (c.installed)
      await markInstalled(database, org, parsed.fingerprint, c.notBefore.toISOString().slice(0, 10), actor);
  }

  const identityActor: IdentityActor = {
    kind: 'system',
    id: 'demonstration',
    structureFiness: eg1,
    means: 'démonstration',
  };
  const people = syntheticIdentities(42, 1).slice(30);
  for (const [i, p] of people.entries()) {
    const structureFiness = i < 8 ? eg1 : eg2;
    const u = await createUsager(
      database,
      { traits: traitsOf(p), structureFiness },
      { ...identityActor, structureFiness },
    );
    await applyIdentityEvent(
      database,
      u.id,
      { type: 'document-checked', mode: 'CN', by: 'demonstration', at: new Date().toISOString() },
      identityActor,
    );
    if (insi && i < 8) await retrieveIns(database, u.id, insi, identityActor);
  }
  return ej;
}
