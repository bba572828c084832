import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cabinetOrganization,
  healthcareService,
  organization,
  practitioner,
  practitionerRole,
} from '../fhir/resources.ts';
import {
  keyedEquipment,
  mapHealthcareService,
  mapOrganization,
  mapPractitioner,
  mapPractitionerRole,
  SyncFormatError,
} from './map.ts';

const at = new Date('2026-11-02T03:00:00Z');
const person = {
  id_nat: '810000000009',
  id_type: '8',
  pp_id: '10000000009',
  civilite_code: 'MME',
  civilite_exercice_code: 'DR',
  nom_exercice: 'GILLET',
  prenom_exercice: 'Chloé',
  active: true,
  last_updated: at,
};
const parts = {
  professions: [
    {
      id_nat: person.id_nat,
      profession_code: '10',
      profession: 'Médecin',
      categorie_code: 'C',
      categorie: 'Civil',
    },
  ],
  savoirFaire: [
    {
      id_nat: person.id_nat,
      type_code: 'S',
      type: 'Spécialité ordinale',
      code: 'SM40',
      libelle: 'Pédiatrie',
    },
  ],
  diplomas: [
    {
      id_nat: person.id_nat,
      type_diplome_code: 'DE',
      type_diplome: 'Diplôme d’État français',
      diplome_code: 'DE10',
      diplome: 'DE de Médecin',
      type_autorisation_code: null,
      type_autorisation: null,
      discipline_code: null,
      discipline: null,
    },
    {
      id_nat: person.id_nat,
      type_diplome_code: null,
      type_diplome: null,
      diplome_code: null,
      diplome: null,
      type_autorisation_code: 'AUT',
      type_autorisation: 'Autorisation d’exercice',
      discipline_code: 'D10',
      discipline: 'Médecin',
    },
  ],
  mailboxes: [
    {
      id_nat: person.id_nat,
      structure_id: null,
      type: 'PER',
      adresse: 'chloe.gillet@pro.mssante.test',
      service: null,
      dematerialisation: 'O',
    },
  ],
};

describe('FHIR resources back to mirror rows', () => {
  it('reads back a practitioner as we serve it: identity, qualifications, authorisations, mailboxes', () => {
    const mapped = mapPractitioner(practitioner(person, parts));
    if (mapped.gone) throw new Error('expected an active practitioner');
    expect(mapped.professional).toMatchObject({
      id_nat: person.id_nat,
      id_type: '8',
      pp_id: person.pp_id,
      civilite_code: 'MME',
      civilite_exercice_code: 'DR',
      nom_exercice: 'GILLET',
      prenom_exercice: 'Chloé',
    });
    expect(mapped.mapping).toMatchObject({ profession_code: '10', categorie_code: 'C' });
    expect(mapped.savoirFaire).toEqual([
      expect.objectContaining({ key: '810000000009|10|S|SM40', code: 'SM40', libelle: 'Pédiatrie' }),
    ]);
    expect(mapped.diplomas.map((d) => d.key)).toEqual(['810000000009|DE|DE10||', '810000000009|||AUT|D10']);
    expect(mapped.mailboxes).toEqual([
      expect.objectContaining({
        key: 'chloe.gillet@pro.mssante.test|810000000009|',
        type: 'PER',
        dematerialisation: 'O',
      }),
    ]);
  });

  it('turns a deactivated resource into a deactivation of its business key', () => {
    expect(mapPractitioner(practitioner({ ...person, active: false }, parts)).gone).toEqual({
      key: person.id_nat,
    });
  });

  it('reads back a role and a FINESS organization', () => {
    const role = practitionerRole(
      {
        id: 'abc',
        id_nat: person.id_nat,
        nom_exercice: 'GILLET',
        prenom_exercice: 'Chloé',
        mode_code: 'S',
        mode: 'Salarié',
        role_code: 'FON-AU',
        role: 'Autre fonction',
        genre_code: 'GENR01',
        genre: 'Activité standard',
        finess_site: '920000000',
        siret: null,
        structure_id: null,
        raison_sociale: 'EHPAD LES TILLEULS',
        has_organization: true,
        has_cabinet: false,
        active: true,
        last_updated: at,
      },
      [],
    );
    const mappedRole = mapPractitionerRole(role);
    if (mappedRole.gone) throw new Error('expected an active role');
    expect(mappedRole.role).toMatchObject({
      key: 'abc',
      practitioner_ref: person.id_nat,
      organization_ref: '920000000',
      mode_code: 'S',
      role_code: 'FON-AU',
      genre_code: 'GENR01',
    });
    const org = mapOrganization(
      organization(
        {
          finess: '920000000',
          finess_ej: '920000001',
          raison_sociale: 'EHPAD LES TILLEULS',
          raison_sociale_longue: 'EHPAD LES TILLEULS DE SAINT-VAL',
          complement_rs: null,
          complement_distribution: null,
          numero_voie: '10',
          type_voie: 'BD',
          voie: 'DU MOULIN',
          complement_voie: null,
          lieu_dit: null,
          commune: '041',
          departement: '92',
          ligne_acheminement: '92041 SAINT-VAL-SUR-MER',
          code_postal: '92041',
          telephone: '0102030405',
          telecopie: null,
          categorie_code: '500',
          categorie: 'EHPAD',
          siret: '30000000055503',
          date_ouverture: null,
          lat: 48.85,
          lon: 2.35,
          active: true,
          last_updated: at,
        },
        [],
      ),
    );
    if (org.gone) throw new Error('expected an active organization');
    expect(org.structure).toMatchObject({
      finess: '920000000',
      finess_ej: '920000001',
      raison_sociale: 'EHPAD LES TILLEULS',
      code_postal: '92041',
      ligne_acheminement: '92041 SAINT-VAL-SUR-MER',
      categorie_code: '500',
      siret: '30000000055503',
      telephone: '0102030405',
      lat: 48.85,
      lon: 2.35,
    });
  });

  it('refuses what is not the expected resource, and nothing else escapes', () => {
    expect(() => mapPractitioner({ resourceType: 'Patient', id: '1', active: true })).toThrow(
      SyncFormatError,
    );
    expect(() => mapPractitioner({ resourceType: 'Practitioner', id: '1' })).toThrow(/active/);
    expect(() => mapPractitioner({ resourceType: 'Practitioner', id: '1', active: true })).toThrow(
      /idNat_PS/,
    );
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom(mapPractitioner, mapPractitionerRole, mapOrganization),
        (value, map) => {
          try {
            map(value);
          } catch (error) {
            expect(error).toBeInstanceOf(SyncFormatError);
          }
        },
      ),
    );
  });
});

describe('HealthcareService → social equipment', () => {
  const code = fc.option(fc.stringMatching(/^[0-9A-Z]{1,4}$/), { nil: null });
  const display = fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null });
  const count = fc.option(fc.integer({ min: 0, max: 9999 }).map(String), { nil: null });
  const age = fc.option(fc.integer({ min: 0, max: 120 }).map(String), { nil: null });
  const yesNo = fc.option(fc.constantFrom('O', 'N'), { nil: null });
  const row = fc.record({
    finess: fc.stringMatching(/^[0-9]{2}[0-9AB][0-9]{6}$/),
    discipline_code: code,
    discipline: display,
    activite_code: code,
    activite: display,
    clientele_code: code,
    clientele: display,
    capacite_installee: count,
    capacite_autorisee: count,
    installation_supprimee: yesNo,
    autorisation_supprimee: yesNo,
    date_autorisation: fc.option(
      fc
        .date({ min: new Date('1980-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
      { nil: null },
    ),
    age_min_autorise: age,
    age_max_autorise: age,
    age_min_installe: age,
    age_max_installe: age,
    has_organization: fc.boolean(),
  });

  it('reads back what the API renders of an equipment, placed at its site', () => {
    fc.assert(
      fc.property(row, (r) => {
        const rendered = healthcareService({
          ...r,
          id: 'id-1',
          date_derniere_installation: null,
          active: true,
          last_updated: at,
        });
        const mapped = mapHealthcareService(rendered);
        if (r.autorisation_supprimee === 'O') {
          // Inactive on the API's side: the mirror deactivates it by its id.
          expect(mapped).toEqual({ gone: { key: 'id-1' } });
          return;
        }
        if (mapped.gone) throw new Error('mapped as gone');
        // Referred to as Organization/<FINESS> here; the national API's own ids are resolved by the sync.
        expect(mapped.finess ?? mapped.organizationRef).toBe(r.finess);
        const { has_organization: _, ...columns } = r;
        const withDisplays = {
          ...columns,
          discipline: r.discipline_code ? r.discipline : null,
          activite: r.activite_code ? r.activite : null,
          clientele: r.clientele_code ? r.clientele : null,
        };
        const keyed = keyedEquipment(mapped.equipment, r.finess);
        expect(keyed).toEqual({
          ...withDisplays,
          key: [r.finess, r.discipline_code, r.activite_code, r.clientele_code].map((v) => v ?? '').join('|'),
        });
      }),
    );
  });

  it('refuses a service without its establishment', () => {
    expect(() => mapHealthcareService({ resourceType: 'HealthcareService', id: 'x', active: true })).toThrow(
      SyncFormatError,
    );
  });
});

describe('Organization → cabinet', () => {
  const value = fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: null });
  const row = fc.record({
    structure_id: fc.stringMatching(/^[RC][0-9]{10,14}$/),
    siret: fc.option(fc.stringMatching(/^[0-9]{14}$/), { nil: null }),
    raison_sociale: fc.string({ minLength: 1, maxLength: 30 }),
    enseigne: value,
    complement_destinataire: value,
    complement_geo: value,
    numero_voie: fc.option(fc.integer({ min: 1, max: 300 }).map(String), { nil: null }),
    indice_repetition: fc.option(fc.constantFrom('B', 'T'), { nil: null }),
    type_voie: fc.option(fc.constantFrom('RUE', 'AV', 'BD'), { nil: null }),
    libelle_voie: value,
    mention_distribution: value,
    code_postal: fc.option(fc.stringMatching(/^[0-9]{5}$/), { nil: null }),
    commune: value,
    telephone: fc.option(fc.stringMatching(/^0[1-9][0-9]{8}$/), { nil: null }),
    telecopie: fc.option(fc.stringMatching(/^0[1-9][0-9]{8}$/), { nil: null }),
    email: fc.option(fc.emailAddress(), { nil: null }),
    departement_code: fc.option(fc.constantFrom('01', '2A', '974'), { nil: null }),
  });
  const lines = (r: Record<string, string | null>) =>
    [
      r.complement_destinataire,
      r.complement_geo,
      [r.numero_voie, r.indice_repetition, r.type_voie, r.libelle_voie].filter(Boolean).join(' ') || null,
      r.mention_distribution,
    ]
      .filter(Boolean)
      .join(', ') || null;

  it('reads back what the API renders of a cabinet, its address lines as one, its mailboxes its own', () => {
    fc.assert(
      fc.property(row, (r) => {
        const mailbox = {
          id_nat: null,
          structure_id: r.structure_id,
          type: 'ORG',
          adresse: 'secretariat@cabinet.mssante.fr',
          service: null,
          dematerialisation: null,
        };
        const mapped = mapOrganization(
          cabinetOrganization({ ...r, active: true, last_updated: at }, [mailbox]),
        );
        if (mapped.gone) throw new Error('an active cabinet read as gone');
        expect(mapped.structure).toBeNull();
        expect(mapped.cabinet).toEqual({
          structure_id: r.structure_id,
          siret: r.siret,
          raison_sociale: r.raison_sociale,
          enseigne: r.enseigne === r.raison_sociale ? null : r.enseigne,
          libelle_voie: lines(r),
          code_postal: r.code_postal,
          commune: r.commune,
          departement_code: r.departement_code,
          telephone: r.telephone,
          telecopie: r.telecopie,
          email: r.email,
        });
        expect(mapped.mailboxes).toEqual([
          expect.objectContaining({ adresse: mailbox.adresse, id_nat: null, structure_id: r.structure_id }),
        ]);
        expect(mapped.mapping).toMatchObject({ id_nat_struct: r.structure_id, finess: null });
      }),
    );
  });

  it('turns a closed cabinet into a deactivation of its idNat_Struct', () => {
    const closed = cabinetOrganization(
      {
        structure_id: 'R0000000042',
        siret: null,
        raison_sociale: 'CABINET MARTIN',
        enseigne: null,
        complement_destinataire: null,
        complement_geo: null,
        numero_voie: null,
        indice_repetition: null,
        type_voie: null,
        libelle_voie: null,
        mention_distribution: null,
        code_postal: null,
        commune: null,
        telephone: null,
        telecopie: null,
        email: null,
        departement_code: null,
        active: false,
        last_updated: at,
      },
      [],
    );
    expect(mapOrganization(closed).gone).toEqual({ key: 'R0000000042' });
  });
});
