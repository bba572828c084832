/**
 * Who gives a member of staff the RPPS or ADELI number, by function (seed 004, "les différentes autorités
 * d'enregistrement"): the Ordre for the professions it governs, the ARS (eRPPS portal) for the other health
 * professions, the employer through RPPS+ for the roles of the social and médico-social sector. Other staff
 * (administration, kitchen, maintenance…) are registered only "quand c'est utile".
 */
export type Authority = 'Ordre' | 'ARS' | 'RPPS+' | 'non-concerne';

export const authorityLabels: Record<Authority, string> = {
  Ordre: 'Ordre professionnel',
  ARS: 'ARS (portail eRPPS)',
  'RPPS+': 'Employeur (RPPS+)',
  'non-concerne': 'Non concerné',
};

const normalise = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();

/** Checked in order: the more specific names first ("aide médico-psychologique" is not a psychologue). */
const rules: Array<[RegExp, Authority]> = [
  [/\b(aide medico psychologique|amp|aes|accompagnant educatif)/, 'RPPS+'],
  [/\b(aide soignante?|assistante? de soins en gerontologie|asg)\b/, 'RPPS+'],
  [/\bassistant(e)? medical/, 'RPPS+'],
  [
    /\b(medecin|infirmier|infirmiere|ide|idec|ipa|pharmacien|pharmacienne|masseur|kinesitherapeute|kine|chirurgien dentiste|dentiste|sage femme|pedicure|podologue|interne)\b/,
    'Ordre',
  ],
  [
    /\b(psychologue|psychotherapeute|psychomotricien|psychomotricienne|orthophoniste|ergotherapeute|dieteticien|dieteticienne|orthoptiste|audioprothesiste|opticien|manipulateur|osteopathe|chiropracteur|orthoprothesiste|podo orthesiste|orthopediste|epithesiste|oculariste|physicien medical|technicien de laboratoire|assistant de service social|assistante de service social|assistante sociale|assistant social|assistant dentaire)\b/,
    'ARS',
  ],
  [
    /\b(educateur|educatrice|moniteur educateur|monitrice educatrice|auxiliaire de vie|coordinateur|coordinatrice|coordonnateur|gestionnaire de cas|mandataire judiciaire|preparateur en pharmacie|preparatrice en pharmacie|secretaire medical|secretaire medicale)\b/,
    'RPPS+',
  ],
];

export function registrationAuthority(fonction: string): Authority {
  const f = normalise(fonction);
  for (const [pattern, authority] of rules) if (pattern.test(f)) return authority;
  return 'non-concerne';
}
