/**
 * What a DUI is, for the RIE rules: seed 003 ("Définition des services sensibles") calls a digital health service
 * that processes personal health data "sensitive" when it is shared, integrates a shared service, offers external
 * web access to the structure's systems, or works at large scale (over 10 000 new patients or 1 000 distinct
 * professionals signing in a year).
 */
export interface ServiceProfile {
  processesHealthData: boolean;
  /** Goes beyond one legal entity, or runs at territorial or national scale (DMP, e-parcours…). */
  shared: boolean;
  /** Integrates a shared service (DMP, MSSanté, INSi…): by transitivity, a DUI that feeds the DMP. */
  integratesShared: boolean;
  /** Reachable from outside the structure's network (mobility, remote work, correspondents). */
  externalAccess: boolean;
  newUsagersPerYear: number;
  professionalsPerYear: number;
}

export interface Sensitivity {
  sensitive: boolean;
  /** Why, in French, one reason per criterion met (or why not). */
  reasons: string[];
}

export function sensitivity(p: ServiceProfile): Sensitivity {
  if (!p.processesHealthData)
    return { sensitive: false, reasons: ['Ne traite pas de données de santé à caractère personnel.'] };
  const reasons = [
    p.shared && 'Service partagé au-delà d’une personne morale.',
    p.integratesShared && 'Intègre un service partagé (DMP, MSSanté, INSi…).',
    p.externalAccess && 'Accessible depuis l’extérieur du système d’information.',
    p.newUsagersPerYear > 10_000 && `Plus de 10 000 nouveaux usagers par an (${p.newUsagersPerYear}).`,
    p.professionalsPerYear > 1_000 &&
      `Plus de 1 000 professionnels distincts par an (${p.professionalsPerYear}).`,
  ].filter((r): r is string => typeof r === 'string');
  return reasons.length > 0
    ? { sensitive: true, reasons }
    : {
        sensitive: false,
        reasons: ['Traite des données de santé, mais aucun critère de service sensible n’est rempli.'],
      };
}
