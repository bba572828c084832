import { type InsKind, insOids, insTypeCodes } from './ins.ts';
import { collectionMethods, validationModes } from './rniv.ts';
import type { Usager } from './usagers.ts';

const core = 'https://hl7.fr/ig/fhir/core';
const cs = (name: string) => `${core}/CodeSystem/${name}`;
const sd = (name: string) => `${core}/StructureDefinition/${name}`;

const statusDisplays = {
  PROV: 'Identité provisoire',
  RECUP: 'Identité récupérée',
  VALI: 'Identité validée',
  QUAL: 'Identité qualifiée',
} as const;

const kindOfOid = (oid: string) =>
  (Object.entries(insOids).find(([, v]) => v === oid)?.[0] ?? 'NIR') as InsKind;

/**
 * An usager as an FR Core Patient: the INS (with its history as `old` identifiers) only for a qualified
 * identity, as the RNIV requires; the identity-reliability extension with status, collection method, document and
 * INSi date; birth name with the first given name and the full list; birth place as its INSEE code.
 */
export function patient(u: Usager, base: string): Record<string, unknown> {
  const qualified = u.identity.status === 'QUAL' && u.ins !== null;
  const insIdentifier = (matricule: string, cle: string, oid: string, use: 'official' | 'old' | 'temp') => ({
    use,
    type: { coding: [{ system: cs('fr-core-cs-v2-0203'), code: insTypeCodes[kindOfOid(oid)] }] },
    system: `urn:oid:${oid}`,
    value: `${matricule}${cle}`,
  });
  const reliability = [
    {
      url: 'identityStatus',
      valueCoding: {
        system: cs('fr-core-cs-identity-status'),
        code: u.identity.status,
        display: statusDisplays[u.identity.status],
      },
    },
    {
      url: 'methodCollection',
      valueCoding: {
        system: cs('fr-core-cs-identity-method-collection'),
        code: u.identity.method,
        display: collectionMethods[u.identity.method],
      },
    },
    ...(u.identity.insiAt ? [{ url: 'dateInterrogationINSi', valueDateTime: u.identity.insiAt }] : []),
    ...(u.identity.document
      ? [
          { url: 'validationDate', valueDate: u.identity.document.checkedAt.slice(0, 10) },
          {
            url: 'validationMode',
            valueCoding: {
              system: cs('fr-core-cs-mode-validation-identity'),
              code: u.identity.document.mode,
              display: validationModes[u.identity.document.mode],
            },
          },
        ]
      : []),
    ...u.identity.attributes.map((a) => ({
      url: 'comment',
      valueCoding: { system: cs('fr-core-cs-identity-status-comment'), code: a },
    })),
  ];
  return {
    resourceType: 'Patient',
    id: u.id,
    meta: {
      lastUpdated: u.updatedAt.toISOString(),
      profile: [qualified ? sd('fr-core-patient-ins') : sd('fr-core-patient')],
    },
    extension: [
      { url: sd('fr-core-identity-reliability'), extension: reliability },
      {
        url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
        valueAddress: {
          extension: [
            {
              url: sd('fr-core-address-insee-code'),
              valueCoding: {
                system: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM',
                code: u.traits.lieuNaissance,
              },
            },
          ],
        },
      },
    ],
    identifier: [
      { use: 'usual', system: `${base}/usagers`, value: u.id },
      ...(qualified && u.ins
        ? [
            insIdentifier(
              u.ins.matricule,
              u.ins.cle,
              u.ins.oid,
              u.ins.oid === insOids.NIA ? 'temp' : 'official',
            ),
            ...u.ins.histo.map((h) => insIdentifier(h.matricule, h.cle, h.oid, 'old')),
          ]
        : []),
    ],
    active: u.mergedInto === null,
    name: [
      {
        use: 'official',
        family: u.traits.nomNaissance,
        given: [u.traits.premierPrenom],
        extension: [
          { url: sd('fr-core-birth-list-given-name'), valueString: u.traits.prenomsNaissance.join(' ') },
        ],
      },
      ...(u.nomUtilise || u.prenomUtilise
        ? [
            {
              use: 'usual',
              ...(u.nomUtilise && { family: u.nomUtilise }),
              ...(u.prenomUtilise && { given: [u.prenomUtilise] }),
            },
          ]
        : []),
    ],
    ...((u.telephone || u.email) && {
      telecom: [
        ...(u.telephone ? [{ system: 'phone', value: u.telephone }] : []),
        ...(u.email ? [{ system: 'email', value: u.email }] : []),
      ],
    }),
    gender: u.traits.sexe === 'M' ? 'male' : 'female',
    birthDate: u.traits.dateNaissance,
    ...(u.mergedInto && { link: [{ other: { reference: `Patient/${u.mergedInto}` }, type: 'replaced-by' }] }),
  };
}
