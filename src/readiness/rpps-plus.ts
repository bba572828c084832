import type { StaffMember } from './staff.ts';

/**
 * The RPPS+ bulk registration file ("chargement en masse"). Its official layout is not published (research
 * ins-dmp-mss-igc.md §6): the template below follows the fields of the RPPS+ registration form (état civil, e-mail,
 * mobile, établissement, nom/prénom d'exercice, dates of the function, profession, rôle) and can be replaced by a
 * JSON file given to `confiance readiness rpps-plus --template`.
 */
export const staffFields = [
  'matricule',
  'nom',
  'prenom',
  'fonction',
  'finessEg',
  'startDate',
  'endDate',
  'email',
  'mobile',
] as const;
export type StaffField = (typeof staffFields)[number];

export interface RppsPlusTemplate {
  separator: string;
  /** Date format of the file: French (JJ/MM/AAAA) or ISO. */
  dates: 'fr' | 'iso';
  columns: Array<{ header: string; field: StaffField } | { header: string; constant: string }>;
}

export const defaultRppsPlusTemplate: RppsPlusTemplate = {
  separator: ';',
  dates: 'fr',
  columns: [
    { header: 'NOM_EXERCICE', field: 'nom' },
    { header: 'PRENOM_EXERCICE', field: 'prenom' },
    { header: 'ADRESSE_MAIL', field: 'email' },
    { header: 'TELEPHONE_MOBILE', field: 'mobile' },
    { header: 'FINESS_ETABLISSEMENT', field: 'finessEg' },
    { header: 'DATE_PRISE_FONCTION', field: 'startDate' },
    { header: 'DATE_FIN_FONCTION', field: 'endDate' },
    { header: 'ROLE', field: 'fonction' },
    { header: 'REFERENCE_EMPLOYEUR', field: 'matricule' },
  ],
};

/** Checks a template read from a file, naming what is wrong. */
export function parseTemplate(json: unknown): RppsPlusTemplate {
  const t = json as Partial<RppsPlusTemplate> | null;
  const problems: string[] = [];
  if (!t || typeof t !== 'object') throw new Error('Modèle RPPS+ : un objet JSON est attendu.');
  if (typeof t.separator !== 'string' || t.separator.length !== 1) problems.push('separator : un caractère');
  if (t.dates !== 'fr' && t.dates !== 'iso') problems.push('dates : « fr » ou « iso »');
  if (!Array.isArray(t.columns) || t.columns.length === 0) problems.push('columns : une liste non vide');
  else
    t.columns.forEach((c, i) => {
      if (typeof c?.header !== 'string' || !c.header) problems.push(`columns[${i}].header manquant`);
      if ('field' in c && !staffFields.includes(c.field))
        problems.push(`columns[${i}].field inconnu : ${c.field}`);
      if (!('field' in c) && typeof (c as { constant?: unknown }).constant !== 'string')
        problems.push(`columns[${i}] : field ou constant attendu`);
    });
  if (problems.length > 0) throw new Error(`Modèle RPPS+ invalide : ${problems.join(' ; ')}.`);
  return t as RppsPlusTemplate;
}

/** Staff the employer registers in RPPS+: present, in a role of the employer's competence, without a number. */
export const toRegister = (staff: StaffMember[], today: string) =>
  staff.filter((s) => s.authority === 'RPPS+' && !s.idNat && (!s.endDate || s.endDate >= today));

const quote = (value: string, separator: string) =>
  /["\r\n]/.test(value) || value.includes(separator) ? `"${value.replaceAll('"', '""')}"` : value;

/** The bulk file, UTF-8 with CRLF line ends; mobiles in the national form (06…) the portal shows. */
export function rppsPlusFile(staff: StaffMember[], template = defaultRppsPlusTemplate): string {
  const value = (s: StaffMember, field: StaffField): string => {
    const v = s[field];
    if (v === null) return '';
    if ((field === 'startDate' || field === 'endDate') && template.dates === 'fr')
      return v.split('-').reverse().join('/');
    if (field === 'mobile') return v.replace(/^\+33/, '0');
    return v;
  };
  const lines = [
    template.columns.map((c) => quote(c.header, template.separator)),
    ...staff.map((s) =>
      template.columns.map((c) => quote('field' in c ? value(s, c.field) : c.constant, template.separator)),
    ),
  ];
  return `${lines.map((l) => l.join(template.separator)).join('\r\n')}\r\n`;
}
