/**
 * A situation d'exercice as Pro Santé Connect describes it in `SubjectRefPro` (ANS fixtures, research/auth.md
 * §1.7): one activity of one exercice. Every field may be missing or an empty string.
 */
export interface Situation {
  /** Stable within one userinfo: exercice and activity positions. */
  key: string;
  professionCode: string | null;
  nomExercice: string | null;
  prenomExercice: string | null;
  finessSite: string | null;
  finessEj: string | null;
  siret: string | null;
  raisonSociale: string | null;
  roleCode: string | null;
  modeCode: string | null;
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
const list = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : [];

/** The situations of a PSC userinfo, one per activity (an exercice without activity counts as one). */
export function situationsOf(userinfo: Record<string, unknown>): Situation[] {
  const ref = userinfo.SubjectRefPro;
  const exercices = list(
    ref && typeof ref === 'object' ? (ref as Record<string, unknown>).exercices : undefined,
  );
  return exercices.flatMap((e, i) => {
    const base = {
      professionCode: text(e.codeProfession),
      nomExercice: text(e.nomDexercice),
      prenomExercice: text(e.prenomDexercice),
    };
    const activities = list(e.activities);
    if (activities.length === 0)
      return [
        {
          key: `${i}`,
          ...base,
          finessSite: null,
          finessEj: null,
          siret: null,
          raisonSociale: null,
          roleCode: null,
          modeCode: null,
        },
      ];
    return activities.map((a, j) => ({
      key: `${i}.${j}`,
      ...base,
      finessSite: text(a.numeroFinessSite),
      finessEj: text(a.numeroFinessetablissementJuridique),
      siret: text(a.numeroSiretSite),
      raisonSociale: text(a.raisonSocialeSite) ?? text(a.enseigneCommercialeSite),
      roleCode: text(a.codeRole),
      modeCode: text(a.codeModeExercice),
    }));
  });
}
