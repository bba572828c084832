import { randomUUID } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { Sexe } from '../traits.ts';
import { attribute, child, children, optionalText, parseXml, text, XmlError, type XmlNode } from './xml.ts';

/**
 * SOAP 1.2 messages of the INSi téléservice (WSDL `ServiceIdentiteCertifiee-v1`, service `ICIR-v1`): the two
 * requests with their `ContexteBAM` and `ContexteLPS` headers, the `RESULTAT` answer and the `siram` faults.
 * Sources: `shared/research/ins-dmp-mss-igc.md` §2.
 */
export const ns = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  bam: 'urn:siram:bam:ctxbam',
  lps: 'urn:siram:lps:ctxlps',
  siram: 'urn:siram',
  recSans: 'http://www.cnamts.fr/INSiRecSans',
  recVit: 'http://www.cnamts.fr/INSiRecVit',
  resultat: 'http://www.cnamts.fr/INSiResultat',
} as const;

export const actions = {
  traits: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite',
  carteVitale: 'urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale',
} as const;
export type Operation = keyof typeof actions;

/** Who calls: the software (its CNDA authorisation number, version, installation) and the structure. */
export interface CallerContext {
  idam: string;
  version: string;
  instance: string;
  name: string;
  /** In mutual TLS, the OU of the client certificate: the structure's idNat_Struct. */
  emitter: string;
}

export interface TraitsQuery {
  nomNaissance: string;
  prenoms: string[];
  sexe: Sexe;
  dateNaissance: string;
  lieuNaissance?: string;
}

export interface CarteVitaleQuery {
  matriculeIndividu: { numIdentifiant: string; cle: string; typeMatricule?: string };
  matriculeOD: { numIdentifiant: string; cle: string; typeMatricule?: string };
  nomNaissance: string;
  dateNaissance: string;
  rangNaissance: string;
}

function envelope(
  operation: Operation,
  caller: CallerContext,
  body: (parent: ReturnType<typeof create>) => void,
) {
  const now = new Date().toISOString();
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const env = doc.ele(ns.soap, 'soap:Envelope');
  const header = env.ele(ns.soap, 'soap:Header');
  header.ele(ns.wsa, 'wsa:Action').txt(actions[operation]);
  header.ele(ns.wsa, 'wsa:MessageID').txt(`uuid:${randomUUID()}`);
  const bam = header.ele(ns.bam, 'ctxbam:ContexteBAM', { Version: '01_02' });
  bam.ele(ns.bam, 'ctxbam:Id').txt(randomUUID());
  bam.ele(ns.bam, 'ctxbam:Temps').txt(now);
  bam.ele(ns.bam, 'ctxbam:Emetteur').txt(caller.emitter);
  bam.ele(ns.bam, 'ctxbam:COUVERTURE');
  const lps = header.ele(ns.lps, 'ctxlps:ContexteLPS', { Nature: 'CTXLPS', Version: '01_00' });
  lps.ele(ns.lps, 'ctxlps:Id').txt(randomUUID());
  lps.ele(ns.lps, 'ctxlps:Temps').txt(now);
  lps.ele(ns.lps, 'ctxlps:Emetteur').txt(caller.emitter);
  const software = lps.ele(ns.lps, 'ctxlps:LPS');
  software.ele(ns.lps, 'ctxlps:IDAM', { R: '4' }).txt(caller.idam);
  software.ele(ns.lps, 'ctxlps:Version').txt(caller.version);
  software.ele(ns.lps, 'ctxlps:Instance').txt(caller.instance);
  software.ele(ns.lps, 'ctxlps:Nom').txt(caller.name);
  body(env.ele(ns.soap, 'soap:Body') as unknown as ReturnType<typeof create>);
  return doc.end({ prettyPrint: false });
}

export function traitsRequest(caller: CallerContext, q: TraitsQuery): string {
  return envelope('traits', caller, (body) => {
    const r = body.ele(ns.recSans, 'insi_recsans_ins:RECSANSVITALE');
    r.ele(ns.recSans, 'insi_recsans_ins:NomNaissance').txt(q.nomNaissance);
    for (const prenom of q.prenoms) r.ele(ns.recSans, 'insi_recsans_ins:Prenom').txt(prenom);
    r.ele(ns.recSans, 'insi_recsans_ins:Sexe').txt(q.sexe);
    r.ele(ns.recSans, 'insi_recsans_ins:DateNaissance').txt(q.dateNaissance);
    if (q.lieuNaissance) r.ele(ns.recSans, 'insi_recsans_ins:LieuNaissance').txt(q.lieuNaissance);
  });
}

export function carteVitaleRequest(caller: CallerContext, q: CarteVitaleQuery): string {
  return envelope('carteVitale', caller, (body) => {
    const r = body.ele(ns.recVit, 'insi_recvit_ins:RECVITALE');
    for (const [name, m] of [
      ['MatriculeIndividu', q.matriculeIndividu],
      ['MatriculeOD', q.matriculeOD],
    ] as const) {
      const e = r.ele(ns.recVit, `insi_recvit_ins:${name}`);
      e.ele(ns.recVit, 'insi_recvit_ins:NumIdentifiant').txt(m.numIdentifiant);
      e.ele(ns.recVit, 'insi_recvit_ins:Cle').txt(m.cle);
      if (m.typeMatricule) e.ele(ns.recVit, 'insi_recvit_ins:TypeMatricule').txt(m.typeMatricule);
    }
    r.ele(ns.recVit, 'insi_recvit_ins:NomNaissance').txt(q.nomNaissance);
    r.ele(ns.recVit, 'insi_recvit_ins:DateNaissance').txt(q.dateNaissance);
    r.ele(ns.recVit, 'insi_recvit_ins:RangNaissance').txt(q.rangNaissance);
  });
}

export interface InsiIns {
  numIdentifiant: string;
  cle: string;
  oid: string;
  dateDeb: string | null;
  dateFin: string | null;
}

export interface InsiIndividu {
  insActif: InsiIns;
  insHisto: InsiIns[];
  tiq: {
    nomNaissance: string;
    prenom: string | null;
    listePrenom: string;
    sexe: string;
    dateNaissance: string;
    lieuNaissance: string | null;
  };
}

export interface InsiResult {
  code: '00' | '01' | '02';
  label: string;
  individu: InsiIndividu | null;
}

/** A SOAP fault of the téléservice, e.g. `desir_550` (unknown software) or `DESIR_560` (access level). */
export class InsiFault extends Error {
  override name = 'InsiFault';
  constructor(
    readonly code: string,
    readonly subcode: string | null,
    message: string,
  ) {
    super(message);
  }
}

function readIns(node: XmlNode, where: string): InsiIns {
  const id = child(node, ns.resultat, 'IdIndividu', where);
  return {
    numIdentifiant: text(id, ns.resultat, 'NumIdentifiant', 'IdIndividu'),
    cle: text(id, ns.resultat, 'Cle', 'IdIndividu'),
    oid: text(node, ns.resultat, 'OID', where),
    dateDeb: optionalText(node, ns.resultat, 'DateDeb'),
    dateFin: optionalText(node, ns.resultat, 'DateFin'),
  };
}

function bodyOf(xml: string): XmlNode {
  const doc = parseXml(xml);
  const env = child(doc, ns.soap, 'Envelope', 'la réponse');
  return child(env, ns.soap, 'Body', 'l’enveloppe SOAP');
}

/** Reads an INSi answer: the `RESULTAT`, or the fault it carries (thrown as InsiFault). */
export function parseResponse(xml: string): InsiResult {
  const body = bodyOf(xml);
  const fault = children(body, ns.soap, 'Fault')[0];
  if (fault) throw readFault(fault);
  const r = child(body, ns.resultat, 'RESULTAT', 'le corps SOAP');
  const cr = child(r, ns.resultat, 'CR', 'RESULTAT');
  const code = text(cr, ns.resultat, 'CodeCR', 'CR');
  if (code !== '00' && code !== '01' && code !== '02')
    throw new XmlError(`Code compte rendu INSi inconnu : ${code}.`);
  const label = text(cr, ns.resultat, 'LibelleCR', 'CR');
  const individu = children(r, ns.resultat, 'INDIVIDU')[0];
  if (code === '00' && !individu) throw new XmlError('Réponse 00 sans INDIVIDU.');
  if (!individu) return { code, label, individu: null };
  const tiq = child(individu, ns.resultat, 'TIQ', 'INDIVIDU');
  return {
    code,
    label,
    individu: {
      insActif: readIns(child(individu, ns.resultat, 'INSACTIF', 'INDIVIDU'), 'INSACTIF'),
      insHisto: children(individu, ns.resultat, 'INSHISTO').map((h) => readIns(h, 'INSHISTO')),
      tiq: {
        nomNaissance: text(tiq, ns.resultat, 'NomNaissance', 'TIQ'),
        prenom: optionalText(tiq, ns.resultat, 'Prenom'),
        listePrenom: text(tiq, ns.resultat, 'ListePrenom', 'TIQ'),
        sexe: text(tiq, ns.resultat, 'Sexe', 'TIQ'),
        dateNaissance: text(tiq, ns.resultat, 'DateNaissance', 'TIQ'),
        lieuNaissance: optionalText(tiq, ns.resultat, 'LieuNaissance'),
      },
    },
  };
}

function readFault(fault: XmlNode): InsiFault {
  const codeNode = children(fault, ns.soap, 'Code')[0];
  const subcode = codeNode ? children(codeNode, ns.soap, 'Subcode')[0] : undefined;
  const subValue = subcode ? optionalText(subcode, ns.soap, 'Value') : null;
  const reason = children(fault, ns.soap, 'Reason')[0];
  const reasonText = reason ? (optionalText(reason, ns.soap, 'Text') ?? '') : '';
  const detail = children(fault, ns.soap, 'Detail')[0];
  const erreur = detail ? children(detail, ns.siram, 'Erreur')[0] : undefined;
  const code = (erreur && attribute(erreur, 'code')) || subValue || 'inconnu';
  const message = (erreur?.['#text'] as string | undefined) || reasonText || 'Erreur du téléservice INSi';
  return new InsiFault(code, subValue, message);
}

/** The server side: reads a request, checking the shapes of the WSDL and its headers. */
export interface InsiRequest {
  operation: Operation;
  caller: CallerContext;
  traits: TraitsQuery | null;
  carteVitale: CarteVitaleQuery | null;
}

export function parseRequest(xml: string): InsiRequest {
  const doc = parseXml(xml);
  const env = child(doc, ns.soap, 'Envelope', 'la requête (SOAP 1.2 attendu)');
  const header = child(env, ns.soap, 'Header', 'l’enveloppe');
  const action = text(header, ns.wsa, 'Action', 'l’en-tête');
  const operation = (Object.keys(actions) as Operation[]).find((k) => actions[k] === action);
  if (!operation) throw new XmlError(`Action inconnue : ${action}.`);
  if (!/^uuid:/.test(text(header, ns.wsa, 'MessageID', 'l’en-tête')))
    throw new XmlError('MessageID doit être de la forme uuid:….');
  const bam = child(header, ns.bam, 'ContexteBAM', 'l’en-tête');
  if (attribute(bam, 'Version') !== '01_02') throw new XmlError('ContexteBAM : Version 01_02 attendue.');
  for (const name of ['Id', 'Temps', 'Emetteur']) text(bam, ns.bam, name, 'ContexteBAM');
  const lps = child(header, ns.lps, 'ContexteLPS', 'l’en-tête');
  if (attribute(lps, 'Nature') !== 'CTXLPS' || attribute(lps, 'Version') !== '01_00')
    throw new XmlError('ContexteLPS : Nature CTXLPS et Version 01_00 attendues.');
  const software = child(lps, ns.lps, 'LPS', 'ContexteLPS');
  const caller: CallerContext = {
    idam: text(software, ns.lps, 'IDAM', 'LPS'),
    version: text(software, ns.lps, 'Version', 'LPS'),
    instance: text(software, ns.lps, 'Instance', 'LPS'),
    name: text(software, ns.lps, 'Nom', 'LPS'),
    emitter: text(lps, ns.lps, 'Emetteur', 'ContexteLPS'),
  };
  const body = child(env, ns.soap, 'Body', 'l’enveloppe');
  if (operation === 'traits') {
    const r = child(body, ns.recSans, 'RECSANSVITALE', 'le corps');
    const sexe = text(r, ns.recSans, 'Sexe', 'RECSANSVITALE');
    if (sexe !== 'M' && sexe !== 'F') throw new XmlError(`Sexe ${sexe} : M ou F attendu.`);
    const lieu = optionalText(r, ns.recSans, 'LieuNaissance');
    return {
      operation,
      caller,
      carteVitale: null,
      traits: {
        nomNaissance: text(r, ns.recSans, 'NomNaissance', 'RECSANSVITALE'),
        prenoms: children(r, ns.recSans, 'Prenom').map((p) => p['#text'] ?? ''),
        sexe,
        dateNaissance: text(r, ns.recSans, 'DateNaissance', 'RECSANSVITALE'),
        ...(lieu && { lieuNaissance: lieu }),
      },
    };
  }
  const r = child(body, ns.recVit, 'RECVITALE', 'le corps');
  const matricule = (name: string) => {
    const m = child(r, ns.recVit, name, 'RECVITALE');
    const type = optionalText(m, ns.recVit, 'TypeMatricule');
    return {
      numIdentifiant: text(m, ns.recVit, 'NumIdentifiant', name),
      cle: text(m, ns.recVit, 'Cle', name),
      ...(type && { typeMatricule: type }),
    };
  };
  return {
    operation,
    caller,
    traits: null,
    carteVitale: {
      matriculeIndividu: matricule('MatriculeIndividu'),
      matriculeOD: matricule('MatriculeOD'),
      nomNaissance: text(r, ns.recVit, 'NomNaissance', 'RECVITALE'),
      dateNaissance: text(r, ns.recVit, 'DateNaissance', 'RECVITALE'),
      rangNaissance: text(r, ns.recVit, 'RangNaissance', 'RECVITALE'),
    },
  };
}

export function resultResponse(operation: Operation, result: InsiResult): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const env = doc.ele(ns.soap, 'soap:Envelope');
  env.ele(ns.soap, 'soap:Header').ele(ns.wsa, 'wsa:Action').txt(`${actions[operation]}Response`);
  const r = env.ele(ns.soap, 'soap:Body').ele(ns.resultat, 'insi_resultat:RESULTAT');
  const cr = r.ele(ns.resultat, 'insi_resultat:CR');
  cr.ele(ns.resultat, 'insi_resultat:CodeCR').txt(result.code);
  cr.ele(ns.resultat, 'insi_resultat:LibelleCR').txt(result.label);
  const i = result.individu;
  if (i) {
    const ind = r.ele(ns.resultat, 'insi_resultat:INDIVIDU');
    const writeIns = (name: string, ins: InsiIns) => {
      const e = ind.ele(ns.resultat, `insi_resultat:${name}`);
      const id = e.ele(ns.resultat, 'insi_resultat:IdIndividu');
      id.ele(ns.resultat, 'insi_resultat:NumIdentifiant').txt(ins.numIdentifiant);
      id.ele(ns.resultat, 'insi_resultat:Cle').txt(ins.cle);
      e.ele(ns.resultat, 'insi_resultat:OID').txt(ins.oid);
      if (ins.dateDeb) e.ele(ns.resultat, 'insi_resultat:DateDeb').txt(ins.dateDeb);
      if (ins.dateFin) e.ele(ns.resultat, 'insi_resultat:DateFin').txt(ins.dateFin);
    };
    writeIns('INSACTIF', i.insActif);
    for (const h of i.insHisto) writeIns('INSHISTO', h);
    const tiq = ind.ele(ns.resultat, 'insi_resultat:TIQ');
    tiq.ele(ns.resultat, 'insi_resultat:NomNaissance').txt(i.tiq.nomNaissance);
    if (i.tiq.prenom) tiq.ele(ns.resultat, 'insi_resultat:Prenom').txt(i.tiq.prenom);
    tiq.ele(ns.resultat, 'insi_resultat:ListePrenom').txt(i.tiq.listePrenom);
    tiq.ele(ns.resultat, 'insi_resultat:Sexe').txt(i.tiq.sexe);
    tiq.ele(ns.resultat, 'insi_resultat:DateNaissance').txt(i.tiq.dateNaissance);
    if (i.tiq.lieuNaissance) tiq.ele(ns.resultat, 'insi_resultat:LieuNaissance').txt(i.tiq.lieuNaissance);
  }
  return doc.end({ prettyPrint: false });
}

export function faultResponse(code: string, message: string, sender = true): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const fault = doc.ele(ns.soap, 'soap:Envelope').ele(ns.soap, 'soap:Body').ele(ns.soap, 'soap:Fault');
  const c = fault.ele(ns.soap, 'soap:Code');
  c.ele(ns.soap, 'soap:Value').txt(sender ? 'soap:Sender' : 'soap:Receiver');
  c.ele(ns.soap, 'soap:Subcode').ele(ns.soap, 'soap:Value').txt('siram:siram_100');
  fault.ele(ns.soap, 'soap:Reason').ele(ns.soap, 'soap:Text', { 'xml:lang': 'fr' }).txt(message);
  fault.ele(ns.soap, 'soap:Detail').ele(ns.siram, 'siram:Erreur', { code, severite: '3' }).txt(message);
  return doc.end({ prettyPrint: false });
}
