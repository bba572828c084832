import { isSiret } from '../directory/identifiers.ts';

/** What the directory holds about one FINESS site (dir_structure), as far as the prerequisites need it. */
export interface FinessRecord {
  finess: string;
  finessEj: string | null;
  raisonSociale: string | null;
  categorieCode: string | null;
  categorie: string | null;
  voie: string | null;
  codePostal: string | null;
  commune: string | null;
  departement: string | null;
  telephone: string | null;
  siret: string | null;
  active: boolean;
  deactivatedAt: Date | null;
}

export type Competence = 'CD' | 'ARS' | 'conjointe';

/**
 * Who authorises (and so corrects the FINESS record of) an ESMS, by FINESS category (TRE_R66): the Conseil
 * départemental alone for social services for the elderly and adults, the ARS alone for medical ones, both for
 * medicalised housing. Seed 004: "compétence unique des Conseils départementaux → Conseil départemental concerné;
 * compétence unique de l'ARS, ou conjointe → Délégation départementale de l'ARS".
 */
const competences: Record<string, Competence> = {
  '202': 'CD', // Résidence autonomie
  '252': 'CD', // Foyer d'hébergement pour adultes handicapés
  '382': 'CD', // Foyer de vie
  '446': 'CD', // Service d'accompagnement à la vie sociale (SAVS)
  '460': 'CD', // Service d'aide et d'accompagnement à domicile (SAAD)
  '177': 'CD', // Maison d'enfants à caractère social
  '183': 'ARS', // IME
  '182': 'ARS', // SESSAD
  '186': 'ARS', // ITEP
  '189': 'ARS', // CMPP
  '190': 'ARS', // CAMSP
  '246': 'ARS', // ESAT
  '255': 'ARS', // MAS
  '354': 'ARS', // SSIAD
  '355': 'ARS', // Centre hospitalier
  '124': 'ARS', // Centre de santé
  '500': 'conjointe', // EHPAD
  '437': 'conjointe', // FAM
  '445': 'conjointe', // SAMSAH
  '209': 'conjointe', // SPASAD
};

export function competence(categorieCode: string | null): Competence {
  return (categorieCode && competences[categorieCode]) || 'ARS';
}

/** The authority that corrects the record: only a sole CD competence goes to the Conseil départemental. */
export const correctingAuthority = (c: Competence): 'CD' | 'ARS' => (c === 'CD' ? 'CD' : 'ARS');

const frenchDate = (d: Date) => d.toISOString().slice(0, 10).split('-').reverse().join('/');

/** What is wrong with a FINESS record for the contract and the certificates, in French; empty when right. */
export function finessProblems(r: FinessRecord, expectedEj: string | null = null): string[] {
  const problems: string[] = [];
  if (!r.active)
    problems.push(
      r.deactivatedAt
        ? `site fermé (retiré de FINESS le ${frenchDate(r.deactivatedAt)})`
        : 'site fermé dans FINESS',
    );
  if (expectedEj && r.finessEj !== expectedEj)
    problems.push(`rattaché à l’entité juridique ${r.finessEj ?? 'inconnue'} et non ${expectedEj}`);
  if (!r.raisonSociale?.trim()) problems.push('raison sociale absente');
  if (!r.categorieCode) problems.push('catégorie d’établissement absente');
  if (!r.voie?.trim() || !r.codePostal || !r.commune?.trim()) problems.push('adresse incomplète');
  if (!r.siret) problems.push('SIRET absent');
  else if (!isSiret(r.siret)) problems.push(`SIRET ${r.siret} invalide (14 chiffres attendus)`);
  if (!r.telephone) problems.push('téléphone absent');
  return problems;
}
