import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnKey } from '../directory/identifiers.ts';
import { parseFrenchDate, parseIdNat, parseMobile, parseStaffCsv } from './staff-input.ts';

const egs = new Set(['690000012', '690000014']);
const rpps = `1000000010${luhnKey('1000000010')}`;

describe('staff registry input', () => {
  it('reads a French spreadsheet export, whatever the column order and spelling of the headers', () => {
    const text = [
      'Matricule;Nom;Prénom;Fonction;FINESS établissement;Date d’entrée;Date de sortie;Courriel;Mobile;RPPS/ADELI;Carte;e-CPS activée;Qualifie INS',
      `A001;MARTIN;Claire;Infirmière;690000012;01/09/2021;;c.martin@exemple.fr;06 12 34 56 78;${rpps};CPS;oui;non`,
      'A002;DURAND;Paul;Aide-soignant;690000014;2023-01-15;;;07.11.22.33.44;;;;oui',
    ].join('\r\n');
    const { staff, errors } = parseStaffCsv(text, egs);
    expect(errors).toEqual([]);
    expect(staff).toEqual([
      {
        matricule: 'A001',
        nom: 'MARTIN',
        prenom: 'Claire',
        fonction: 'Infirmière',
        finessEg: '690000012',
        startDate: '2021-09-01',
        endDate: null,
        email: 'c.martin@exemple.fr',
        mobile: '+33612345678',
        idNat: `8${rpps}`,
        card: 'CPS',
        eCpsActive: true,
        cardAgent: false,
      },
      expect.objectContaining({ matricule: 'A002', mobile: '+33711223344', card: 'aucune', cardAgent: true }),
    ]);
  });

  it('names every wrong field of every line, and the duplicated matricules', () => {
    const text = [
      'matricule,nom,prenom,fonction,finess,date_entree,date_sortie,email,mobile,rpps,carte',
      'B1,,Anne,Psychologue,690000099,31/02/2024,01/01/2020,pas-un-courriel,0123,12345678901,badge',
      'B2,LEROY,Jean,Cuisinier,690000012,01/01/2024,01/06/2023,,,,',
      'B3,PETIT,Luc,AES,690000012,01/01/2024,,,,,',
      'B3,PETIT,Lucie,AES,690000012,01/01/2024,,,,,',
    ].join('\n');
    const { staff, errors } = parseStaffCsv(text, egs);
    expect(staff.map((s) => s.matricule)).toEqual(['B3']);
    expect(errors).toEqual([
      { line: 2, message: 'nom manquant' },
      { line: 2, message: 'FINESS 690000099 inconnu : ce n’est pas un établissement de l’organisme' },
      { line: 2, message: 'date d’entrée « 31/02/2024 » invalide (JJ/MM/AAAA attendu)' },
      { line: 2, message: 'adresse électronique « pas-un-courriel » invalide' },
      { line: 2, message: 'mobile « 0123 » invalide (06 ou 07 attendu)' },
      {
        line: 2,
        message:
          'numéro RPPS ou ADELI « 12345678901 » invalide (RPPS : 11 chiffres et clé ; ADELI : 9 caractères)',
      },
      { line: 2, message: 'carte « badge » inconnue (CPE, CPS, CPA, e-CPS, aucune)' },
      { line: 3, message: 'date de sortie antérieure à la date d’entrée' },
      { line: 5, message: 'matricule B3 déjà présent ligne 4' },
    ]);
  });

  it('refuses a file without the required columns, naming them', () => {
    expect(parseStaffCsv('nom;prénom\nA;B\n', egs).errors).toEqual([
      {
        line: 1,
        message:
          'colonne(s) absente(s) : matricule, fonction, finess, date entree (en-tête lu : nom | prénom)',
      },
    ]);
    expect(parseStaffCsv('', egs).errors[0]?.message).toBe('fichier vide');
  });

  it('accepts only real calendar dates, in both spellings', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1950-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (d) => {
          const iso = d.toISOString().slice(0, 10);
          expect(parseFrenchDate(iso)).toBe(iso);
          expect(parseFrenchDate(iso.split('-').reverse().join('/'))).toBe(iso);
        },
      ),
    );
    expect(parseFrenchDate('29/02/2023')).toBeNull();
    expect(parseFrenchDate('29/02/2024')).toBe('2024-02-29');
  });

  it('normalises French mobiles and RPPS/ADELI numbers, and never throws', () => {
    expect(parseMobile('+33 6 12 34 56 78')).toBe('+33612345678');
    expect(parseMobile('01 23 45 67 89')).toBeNull();
    expect(parseIdNat(`8${rpps}`)).toBe(`8${rpps}`);
    expect(parseIdNat('2A1234567')).toBe('02A1234567');
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseMobile(s);
        parseIdNat(s);
        parseFrenchDate(s);
      }),
    );
  });
});
