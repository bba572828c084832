import { describe, expect, it } from 'vitest';
import { patient } from './fhir.ts';
import { initialState } from './rniv.ts';
import type { Usager } from './usagers.ts';

const base: Usager = {
  id: 'usg_1',
  structureFiness: '920000000',
  traits: {
    nomNaissance: 'ECETINSI',
    prenomsNaissance: ['PIERRE-ALAIN', 'MURIEL', 'FLORIANT'],
    premierPrenom: 'PIERRE-ALAIN',
    sexe: 'M',
    dateNaissance: '2009-07-14',
    lieuNaissance: '63220',
  },
  nomUtilise: null,
  prenomUtilise: 'PIERRE',
  telephone: null,
  email: null,
  identity: initialState(),
  ins: {
    matricule: '1090763220834',
    cle: '89',
    oid: '1.2.250.1.213.1.4.8',
    histo: [{ matricule: '2090763220834', cle: '39', oid: '1.2.250.1.213.1.4.8' }],
  },
  mergedInto: null,
  createdAt: new Date('2026-11-24T09:00:00Z'),
  updatedAt: new Date('2026-11-24T10:00:00Z'),
};

describe('FR Core Patient', () => {
  it('carries the INS and its history only for a qualified identity', () => {
    const qual = patient(
      {
        ...base,
        identity: {
          status: 'QUAL',
          method: 'INSI',
          attributes: [],
          document: { mode: 'PA', checkedBy: '810000000009', checkedAt: '2026-11-24T09:30:00Z' },
          insiAt: '2026-11-24T09:40:00Z',
        },
      },
      'https://confiance.test',
    ) as Record<string, any>;
    expect(qual.meta.profile).toEqual([
      'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins',
    ]);
    expect(qual.identifier).toEqual([
      { use: 'usual', system: 'https://confiance.test/usagers', value: 'usg_1' },
      expect.objectContaining({
        use: 'official',
        system: 'urn:oid:1.2.250.1.213.1.4.8',
        value: '109076322083489',
      }),
      expect.objectContaining({ use: 'old', value: '209076322083439' }),
    ]);
    const reliability = qual.extension[0].extension.map((e: Record<string, any>) => e.url);
    expect(reliability).toEqual([
      'identityStatus',
      'methodCollection',
      'dateInterrogationINSi',
      'validationDate',
      'validationMode',
    ]);
    expect(qual.name[0]).toMatchObject({ family: 'ECETINSI', given: ['PIERRE-ALAIN'] });
    expect(qual.name[0].extension[0].valueString).toBe('PIERRE-ALAIN MURIEL FLORIANT');
    expect(qual).toMatchObject({ gender: 'male', birthDate: '2009-07-14' });

    const prov = patient(base, 'https://confiance.test') as Record<string, any>;
    expect(prov.identifier).toHaveLength(1);
    expect(prov.meta.profile).toEqual(['https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient']);
  });

  it('points a merged duplicate at the identity kept', () => {
    const merged = patient({ ...base, mergedInto: 'usg_2' }, 'https://confiance.test') as Record<string, any>;
    expect(merged.active).toBe(false);
    expect(merged.link).toEqual([{ other: { reference: 'Patient/usg_2' }, type: 'replaced-by' }]);
  });
});
