import { describe, expect, it } from 'vitest';
import { registrationAuthority } from './registration.ts';

describe('registration authority by function', () => {
  it.each([
    ['Médecin coordonnateur', 'Ordre'],
    ['Infirmière', 'Ordre'],
    ['IDEC', 'Ordre'],
    ['Masseur-kinésithérapeute', 'Ordre'],
    ['Sage-femme', 'Ordre'],
    ['Pédicure-podologue', 'Ordre'],
    ['Psychologue', 'ARS'],
    ['Orthophoniste', 'ARS'],
    ['Ergothérapeute', 'ARS'],
    ['Psychomotricienne', 'ARS'],
    ['Assistante de service social', 'ARS'],
    ['Diététicien', 'ARS'],
    ['Aide médico-psychologique', 'RPPS+'],
    ['AES', 'RPPS+'],
    ['Accompagnant éducatif et social', 'RPPS+'],
    ['Aide-soignante', 'RPPS+'],
    ['Assistante médicale', 'RPPS+'],
    ['Secrétaire médicale', 'RPPS+'],
    ['Coordinatrice de parcours', 'RPPS+'],
    ['Éducateur spécialisé', 'RPPS+'],
    ['Mandataire judiciaire', 'RPPS+'],
    ['Agent administratif', 'non-concerne'],
    ['Cuisinier', 'non-concerne'],
    ['Directrice', 'non-concerne'],
  ] as const)('%s → %s', (fonction, authority) => {
    expect(registrationAuthority(fonction)).toBe(authority);
  });
});
