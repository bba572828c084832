/**
 * What the `|`-separated extractions hold and how their lines are checked: read by the import, in the main
 * thread or in the worker that stages a large file (line-worker.ts), so nothing here touches the database.
 */
import {
  diplomeColumns,
  mssanteColumns,
  personneActiviteColumns,
  savoirFaireColumns,
} from '../formats/ps-libre-acces.ts';
import { isFiness, isSiren, isSiret, parsePpIdentity } from '../identifiers.ts';
import type { SourceKind } from '../sources.ts';
import type { Check, LineSpec } from './line-stager.ts';
import { activityKey, diplomaKey, mailboxKey, type ResourceName, savoirFaireKey } from './resources.ts';

const identityCheck: Check = (v) => {
  const id = parsePpIdentity(v('id_type') ?? '', v('pp_id') ?? '', v('id_nat') ?? '');
  return id.ok ? null : id.reason;
};

const activityCheck: Check = (v) => {
  const identity = identityCheck(v);
  if (identity) return identity;
  const site = v('finess_site');
  if (site !== null && !isFiness(site)) return `FINESS site invalide « ${site} »`;
  const ej = v('finess_ej');
  if (ej !== null && !isFiness(ej)) return `FINESS juridique invalide « ${ej} »`;
  const siret = v('siret');
  if (siret && !isSiret(siret)) return `SIRET invalide « ${siret} »`;
  const siren = v('siren');
  if (siren && !isSiren(siren)) return `SIREN invalide « ${siren} »`;
  if (!v('profession_code')) return 'code profession absent';
  return null;
};

const mailboxCheck: Check = (v) => {
  const type = v('type') ?? '';
  if (!['PER', 'ORG', 'APP', 'CAB'].includes(type))
    return `type de BAL inconnu « ${type} » (PER, ORG, APP ou CAB)`;
  const address = v('adresse');
  if (!address || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address))
    return `adresse BAL invalide « ${address ?? ''} »`;
  if (v('id_nat') || v('pp_id')) return identityCheck(v);
  if (type === 'PER') return 'BAL personnelle sans identifiant de professionnel';
  return null;
};

export interface TableSource extends LineSpec {
  resource: ResourceName;
}

export const tableSources: Partial<Record<SourceKind, TableSource>> = {
  personneActivite: {
    columns: personneActiviteColumns,
    resource: 'activity',
    key: activityKey,
    check: activityCheck,
  },
  savoirFaire: {
    columns: savoirFaireColumns,
    resource: 'savoirFaire',
    key: savoirFaireKey,
    check: identityCheck,
  },
  diplome: {
    columns: diplomeColumns,
    resource: 'diploma',
    key: diplomaKey,
    check: identityCheck,
  },
  mssante: {
    columns: mssanteColumns,
    resource: 'mailbox',
    key: mailboxKey,
    check: mailboxCheck,
  },
};
