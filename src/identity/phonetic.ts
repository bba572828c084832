import { normalizeName } from './traits.ts';

/**
 * A French phonetic key for names (after Soundex2 and Phonex): what sounds alike in French writes alike, so that
 * DUPONT and DUPOND, GAUTHIER and GOTIER, PHILIPPE and FILIPE meet in the duplicate search. Not a spelling:
 * only equality of keys means something.
 */
const rules: Array<[RegExp, string]> = [
  [/[^A-Z]/g, ''],
  [/^MAC/, 'MC'],
  [/^ASA/, 'AZA'],
  [/^KN/, 'N'],
  [/^PF/, 'F'],
  [/^SCH/, 'CH'],
  [/PH/g, 'F'],
  [/GU([EI])/g, 'K$1'],
  [/G([AOU])/g, 'K$1'],
  [/C([AOU])/g, 'K$1'],
  [/QU?/g, 'K'],
  [/CK|CC/g, 'K'],
  [/SC([EI])/g, 'S$1'],
  [/SH|SCH/g, 'CH'],
  [/C([EIY])/g, 'S$1'],
  [/TH/g, 'T'],
  [/([^CS])H/g, '$1'],
  [/^H/, ''],
  [/W/g, 'V'],
  [/Z/g, 'S'],
  [/X/g, 'KS'],
  [/Y/g, 'I'],
  [/EAU|AU/g, 'O'],
  [/AI|EI|ET$|EZ$|ER$/g, 'E'],
  [/[EA]N(?=[^AEIOUN]|$)/g, 'AN'],
  [/[EA]M(?=[BP])/g, 'AN'],
  [/OU/g, 'U'],
  [/([AEIOU])S([AEIOU])/g, '$1Z$2'],
  [/(.)\1+/g, '$1'],
  [/[TDSX]$/, ''],
  [/E$/, ''],
];

export function phoneticKey(name: string): string {
  let key = normalizeName(name).replace(/[' -].*$/, '');
  for (const [pattern, replacement] of rules) key = key.replace(pattern, replacement);
  const first = key.charAt(0);
  // Vowels after the first letter carry little in French names: they are dropped, as in Soundex.
  return first + key.slice(1).replace(/[AEIOU]/g, '');
}
