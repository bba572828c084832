import { includes, resourceTypes, searchParameters } from './params.ts';
import { profile } from './systems.ts';

const profiles = {
  Practitioner: profile.practitioner,
  PractitionerRole: profile.practitionerRole,
  Organization: profile.organization,
  HealthcareService: profile.healthcareService,
};

/**
 * What `/fhir` answers, derived from the same tables the parser uses, so the statement cannot promise a
 * parameter the server refuses (or the reverse).
 */
export function capabilityStatement(base: string, version: string): Record<string, unknown> {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-11-24',
    publisher: 'Confiance',
    kind: 'instance',
    software: { name: 'Confiance', version },
    implementation: { description: 'Miroir local de l’Annuaire Santé et de FINESS', url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Recherche compatible avec l’API Annuaire Santé en libre accès (v2) : chaînes sans accents ni casse, ' +
          'préfixe par défaut, :contains et :exact ; jetons système|code ; _lastUpdated en gt, ge, eq ; ' +
          `pagination par lien next stable ; _count jusqu’à 1000 ; _total=none|estimate|accurate ; _elements.`,
        resource: resourceTypes.map((type) => ({
          type,
          profile: profiles[type].at(-1),
          supportedProfile: [...profiles[type]],
          interaction: [{ code: 'read' }, { code: 'search-type' }],
          searchInclude: [...includes[type].include],
          searchRevInclude: [...includes[type].revinclude],
          searchParam: Object.entries(searchParameters[type]).map(([name, definition]) => ({
            name,
            type: definition.type,
            documentation: definition.extra
              ? `${definition.documentation} (Confiance, absent de l’API nationale)`
              : definition.documentation,
          })),
        })),
      },
    ],
  };
}
