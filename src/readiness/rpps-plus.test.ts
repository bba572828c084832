import { describe, expect, it } from 'vitest';
import { readCsv } from './csv.ts';
import { defaultRppsPlusTemplate, parseTemplate, rppsPlusFile, toRegister } from './rpps-plus.ts';
import type { StaffMember } from './staff.ts';

const member = (patch: Partial<StaffMember>): StaffMember => ({
  id: 'stf_1',
  matricule: 'M1',
  nom: 'DURAND',
  prenom: 'Paul',
  fonction: 'Aide-soignant',
  finessEg: '690000012',
  startDate: '2023-01-15',
  endDate: null,
  email: 'p.durand@exemple.fr',
  mobile: '+33711223344',
  idNat: null,
  idNatSource: null,
  card: 'aucune',
  eCpsActive: false,
  cardAgent: false,
  authority: 'RPPS+',
  inDirectory: false,
  mailboxes: [],
  ...patch,
});

describe('RPPS+ bulk file', () => {
  const staff = [
    member({}),
    member({ matricule: 'M2', nom: 'MARTIN; "dite" CLAIRE', authority: 'RPPS+' }),
    member({ matricule: 'M3', idNat: '810000000018' }),
    member({ matricule: 'M4', authority: 'Ordre', fonction: 'Infirmier' }),
    member({ matricule: 'M5', endDate: '2024-01-01' }),
  ];

  it('lists only present staff of the employer’s competence still without a number', () => {
    expect(toRegister(staff, '2026-11-24').map((s) => s.matricule)).toEqual(['M1', 'M2']);
  });

  it('writes the default template, quoting what needs it, dates and mobiles in French form', () => {
    const file = rppsPlusFile(toRegister(staff, '2026-11-24'));
    const rows = readCsv(file, ';').map((r) => r.cells);
    expect(rows[0]).toEqual(defaultRppsPlusTemplate.columns.map((c) => c.header));
    expect(rows[1]).toEqual([
      'DURAND',
      'Paul',
      'p.durand@exemple.fr',
      '0711223344',
      '690000012',
      '15/01/2023',
      '',
      'Aide-soignant',
      'M1',
    ]);
    expect(rows[2]?.[0]).toBe('MARTIN; "dite" CLAIRE');
    expect(file.endsWith('\r\n')).toBe(true);
  });

  it('follows a configured template and refuses a wrong one, naming the problems', () => {
    const t = parseTemplate({
      separator: ',',
      dates: 'iso',
      columns: [
        { header: 'Nom', field: 'nom' },
        { header: 'Entrée', field: 'startDate' },
        { header: 'Type', constant: 'SALARIE' },
      ],
    });
    expect(rppsPlusFile([member({})], t)).toBe('Nom,Entrée,Type\r\nDURAND,2023-01-15,SALARIE\r\n');
    expect(() =>
      parseTemplate({ separator: '::', dates: 'us', columns: [{ header: 'X', field: 'nir' }] }),
    ).toThrow(
      'Modèle RPPS+ invalide : separator : un caractère ; dates : « fr » ou « iso » ; columns[0].field inconnu : nir.',
    );
  });
});
