import type { Database } from '../db/connect.ts';
import { InsError, parseIns } from './ins.ts';
import { type Attempt, explainFault, type InsiClient, InsiUnavailableError } from './insi/client.ts';
import { InsiFault, type InsiResult } from './insi/messages.ts';
import { transition } from './rniv.ts';
import { compareTraits, parseTraits, type TraitDifference, TraitsError } from './traits.ts';
import {
  audit,
  getUsager,
  type IdentityActor,
  type InsRecord,
  onBehalfOf,
  saveIdentity,
  type Usager,
} from './usagers.ts';

export type RetrievalOutcome =
  | { outcome: 'retrieved'; usager: Usager; attempts: Attempt[] }
  | { outcome: 'differences'; usager: Usager; differences: TraitDifference[]; attempts: Attempt[] }
  | { outcome: 'not-found' | 'several'; usager: Usager; attempts: Attempt[] }
  | { outcome: 'refused'; usager: Usager; reason: string; attempts: Attempt[] };

/** INSi could not answer, or answered something unusable: the usager's status is unchanged. */
export class InsiCallError extends Error {
  override name = 'InsiCallError';
}

function insOf(result: InsiResult): InsRecord {
  const i = result.individu;
  if (!i) throw new InsiCallError('Réponse INSi 00 sans identité.');
  try {
    const active = parseIns(i.insActif.numIdentifiant, i.insActif.oid, i.insActif.cle);
    return {
      matricule: active.matricule,
      cle: active.key,
      oid: active.oid,
      histo: i.insHisto.map((h) => {
        const old = parseIns(h.numIdentifiant, h.oid, h.cle);
        return { matricule: old.matricule, cle: old.key, oid: old.oid };
      }),
    };
  } catch (error) {
    if (error instanceof InsError) throw new InsiCallError(`INS renvoyé par INSi refusé : ${error.message}`);
    throw error;
  }
}

/**
 * Asks INSi for the usager's INS with his traits (the guidance's strategy), then compares the traits INSi returns
 * with the local ones after normalisation. Identical: the INS and its history are stored and the status moves
 * (PROV → RECUP, VALI → QUAL). Different: nothing is stored and the differences are returned for the agent to
 * settle. Every call is audited with the actor, the structure and the means.
 */
export async function retrieveIns(
  database: Database,
  id: string,
  client: InsiClient,
  actor: IdentityActor,
): Promise<RetrievalOutcome> {
  const usager = await getUsager(database, id);
  actor = onBehalfOf(actor, usager.structureFiness);
  let search: Awaited<ReturnType<InsiClient['searchByTraits']>>;
  try {
    search = await client.searchByTraits(usager.traits);
  } catch (error) {
    const message =
      error instanceof InsiFault
        ? explainFault(error)
        : error instanceof InsiUnavailableError
          ? error.message
          : null;
    if (message === null) throw error;
    await audit(database, actor, 'identity.insi.call', 'failure', id, {
      operation: 'rechercherInsAvecTraitsIdentite',
      reason: message,
      ...(error instanceof InsiFault && { fault: error.code }),
    });
    throw new InsiCallError(message);
  }
  const { result, attempts } = search;
  const codes = attempts.map((a) => a.code);
  const callDetails = { operation: 'rechercherInsAvecTraitsIdentite', calls: attempts.length, codes };
  if (result.code !== '00') {
    await audit(database, actor, 'identity.insi.call', 'success', id, {
      ...callDetails,
      result: result.code,
    });
    return { outcome: result.code === '01' ? 'not-found' : 'several', usager, attempts };
  }
  const ins = insOf(result);
  const tiq = result.individu?.tiq;
  let theirs: ReturnType<typeof parseTraits>;
  try {
    theirs = parseTraits({
      nomNaissance: tiq?.nomNaissance,
      prenomsNaissance: tiq?.listePrenom,
      sexe: tiq?.sexe,
      dateNaissance: tiq?.dateNaissance,
      lieuNaissance: tiq?.lieuNaissance ?? usager.traits.lieuNaissance,
    });
  } catch (error) {
    if (error instanceof TraitsError)
      throw new InsiCallError(`Traits renvoyés par INSi illisibles : ${error.message}`);
    throw error;
  }
  const differences = compareTraits(usager.traits, theirs);
  if (differences.length > 0) {
    await audit(database, actor, 'identity.insi.call', 'success', id, {
      ...callDetails,
      result: '00',
      differences: differences.map((d) => d.trait),
    });
    return { outcome: 'differences', usager, differences, attempts };
  }
  const t = transition(usager.identity, {
    type: 'insi-retrieved',
    at: new Date().toISOString(),
    method: 'INSI',
    traitsMatch: true,
  });
  await audit(database, actor, 'identity.insi.call', 'success', id, {
    ...callDetails,
    result: '00',
    history: ins.histo.length,
  });
  if (!t.ok) return { outcome: 'refused', usager, reason: t.reason, attempts };
  await saveIdentity(database, id, t.state, ins);
  await audit(database, actor, 'identity.status.change', 'success', id, {
    event: 'insi-retrieved',
    from: usager.identity.status,
    to: t.state.status,
  });
  return { outcome: 'retrieved', usager: await getUsager(database, id), attempts };
}

/**
 * The Application carte Vitale path: the agent reads the usager's identity and INS in the application, which the
 * RNIV counts as a qualified identity at once. The INS is checked (key, OID) before anything is stored.
 */
export async function qualifyWithAppliCarteVitale(
  database: Database,
  id: string,
  ins: { value: string; oid: string },
  actor: IdentityActor,
): Promise<{ ok: boolean; reason: string; usager: Usager }> {
  const usager = await getUsager(database, id);
  actor = onBehalfOf(actor, usager.structureFiness);
  let parsed: ReturnType<typeof parseIns>;
  try {
    parsed = parseIns(ins.value, ins.oid);
  } catch (error) {
    if (!(error instanceof InsError)) throw error;
    await audit(database, actor, 'identity.status.change', 'denied', id, {
      event: 'appli-carte-vitale',
      reason: error.message,
    });
    return { ok: false, reason: error.message, usager };
  }
  const t = transition(usager.identity, {
    type: 'appli-carte-vitale',
    at: new Date().toISOString(),
    by: actor.id,
  });
  if (!t.ok) {
    await audit(database, actor, 'identity.status.change', 'denied', id, {
      event: 'appli-carte-vitale',
      reason: t.reason,
    });
    return { ok: false, reason: t.reason, usager };
  }
  await saveIdentity(database, id, t.state, {
    matricule: parsed.matricule,
    cle: parsed.key,
    oid: parsed.oid,
    histo: [],
  });
  await audit(database, actor, 'identity.status.change', 'success', id, {
    event: 'appli-carte-vitale',
    from: usager.identity.status,
    to: t.state.status,
  });
  return { ok: true, reason: t.reason, usager: await getUsager(database, id) };
}
