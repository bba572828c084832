import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { insKey, insOids } from '../identity/ins.ts';
import {
  type CarteVitaleQuery,
  faultResponse,
  type InsiResult,
  type Operation,
  parseRequest,
  resultResponse,
  type TraitsQuery,
} from '../identity/insi/messages.ts';
import { XmlError } from '../identity/insi/xml.ts';
import { normalizeName } from '../identity/traits.ts';
import { caNames, type TestPki } from './pki.ts';

/** An identity the emulated RNIPP knows. */
export interface InsiIdentity {
  matricule: string;
  oid: string;
  nomNaissance: string;
  prenoms: string[];
  sexe: 'M' | 'F';
  dateNaissance: string;
  lieuNaissance: string;
  /** Earlier matricules (INSHISTO), e.g. after a change of sex. */
  histo?: Array<{ matricule: string; dateDeb?: string; dateFin?: string }>;
}

const nir = insOids.NIR;

/**
 * The public test identities of the INSi qualification environment (CNDA fixtures), and two synthetic sets of
 * homonyms to exercise the "several identities found" path. Source: `shared/research/ins-dmp-mss-igc.md` §2.6.
 */
export const testIdentities: InsiIdentity[] = [
  {
    matricule: '297022A020778',
    oid: nir,
    nomNaissance: 'ADRTROIS',
    prenoms: ['DOMINIQUE'],
    sexe: 'F',
    dateNaissance: '1997-02-26',
    lieuNaissance: '2A020',
  },
  {
    matricule: '160012B020777',
    oid: nir,
    nomNaissance: 'ADRTROIS',
    prenoms: ['TOUSSAINT'],
    sexe: 'M',
    dateNaissance: '1960-01-01',
    lieuNaissance: '2B020',
  },
  {
    matricule: '180032B020401',
    oid: nir,
    nomNaissance: 'CORSE',
    prenoms: ['ANTHONY'],
    sexe: 'M',
    dateNaissance: '1980-03-02',
    lieuNaissance: '2B020',
  },
  {
    matricule: '1090763220834',
    oid: nir,
    nomNaissance: 'ECETINSI',
    prenoms: ['PIERRE-ALAIN', 'MURIEL', 'FLORIANT'],
    sexe: 'M',
    dateNaissance: '2009-07-14',
    lieuNaissance: '63220',
    histo: [{ matricule: '2090763220834' }, { matricule: '2090663220123' }],
  },
  {
    matricule: '2360663220836',
    oid: nir,
    nomNaissance: 'TCHITCHI',
    prenoms: ['CATARINA', 'BELLA'],
    sexe: 'F',
    dateNaissance: '1936-06-21',
    lieuNaissance: '63220',
  },
  {
    matricule: '1090763220888',
    oid: insOids.NIA,
    nomNaissance: 'PROVISOIRE',
    prenoms: ['MATRICULE'],
    sexe: 'M',
    dateNaissance: '2009-07-14',
    lieuNaissance: '63220',
  },
  {
    matricule: '2850475056123',
    oid: nir,
    nomNaissance: 'HOMONYME',
    prenoms: ['MARIE', 'ANNE'],
    sexe: 'F',
    dateNaissance: '1985-04-12',
    lieuNaissance: '75056',
  },
  {
    matricule: '2850463113045',
    oid: nir,
    nomNaissance: 'HOMONYME',
    prenoms: ['MARIE', 'LOUISE'],
    sexe: 'F',
    dateNaissance: '1985-04-12',
    lieuNaissance: '63113',
  },
  {
    matricule: '1720169123456',
    oid: nir,
    nomNaissance: 'JUMEAU',
    prenoms: ['JEAN'],
    sexe: 'M',
    dateNaissance: '1972-01-30',
    lieuNaissance: '69123',
  },
  {
    matricule: '1720113055321',
    oid: nir,
    nomNaissance: 'JUMEAU',
    prenoms: ['JEAN'],
    sexe: 'M',
    dateNaissance: '1972-01-30',
    lieuNaissance: '13055',
  },
];

/** Given names that the CNDA test platform answers with "no identity found". */
export const notFoundTriggers = new Set(['OLA', 'PIERRE', 'PAUL', 'JACQUES']);

export interface InsiEmulatorOptions {
  pki: TestPki;
  /** CNDA authorisation numbers (IDAM) the emulator knows; others get the `desir_550` fault. */
  idams: readonly string[];
  identities?: readonly InsiIdentity[];
  host?: string;
  port?: number;
  /** Answer after this delay, to exercise clients' time-outs. */
  delayMs?: number;
}

export interface RunningInsiEmulator {
  url: string;
  close(): Promise<void>;
  calls: number;
}

function answer(found: InsiIdentity[]): InsiResult {
  if (found.length === 0) return { code: '01', label: 'Aucune identite trouvee', individu: null };
  if (found.length > 1) return { code: '02', label: 'Plusieurs identites trouvees', individu: null };
  const i = found[0] as InsiIdentity;
  return {
    code: '00',
    label: 'OK',
    individu: {
      insActif: {
        numIdentifiant: i.matricule,
        cle: insKey(i.matricule),
        oid: i.oid,
        dateDeb: null,
        dateFin: null,
      },
      insHisto: (i.histo ?? []).map((h) => ({
        numIdentifiant: h.matricule,
        cle: insKey(h.matricule),
        oid: i.oid,
        dateDeb: h.dateDeb ?? null,
        dateFin: h.dateFin ?? null,
      })),
      tiq: {
        nomNaissance: i.nomNaissance,
        prenom: i.prenoms[0] ?? null,
        listePrenom: i.prenoms.join(' '),
        sexe: i.sexe,
        dateNaissance: i.dateNaissance,
        lieuNaissance: i.lieuNaissance,
      },
    },
  };
}

/** Identities by birth name, sex and date: what every INSi search names. */
export type IdentityIndex = Map<string, InsiIdentity[]>;
const indexKey = (nom: string, sexe: string, date: string) => `${nom}|${sexe}|${date}`;

export function indexIdentities(identities: readonly InsiIdentity[]): IdentityIndex {
  const index: IdentityIndex = new Map();
  for (const i of identities) {
    const key = indexKey(i.nomNaissance, i.sexe, i.dateNaissance);
    index.set(key, [...(index.get(key) ?? []), i]);
  }
  return index;
}

/** Every given name asked for must be one of the identity's, and the birth place, when given, must be its own. */
export function searchByTraits(index: IdentityIndex, q: TraitsQuery): InsiResult {
  const prenoms = q.prenoms
    .map(normalizeName)
    .flatMap((p) => p.split(' '))
    .filter(Boolean);
  if (prenoms.some((p) => notFoundTriggers.has(p))) return answer([]);
  const candidates = index.get(indexKey(normalizeName(q.nomNaissance), q.sexe, q.dateNaissance)) ?? [];
  return answer(
    candidates.filter(
      (i) =>
        prenoms.every((p) => i.prenoms.includes(p)) &&
        (!q.lieuNaissance || q.lieuNaissance.toUpperCase() === i.lieuNaissance),
    ),
  );
}

function searchByCarteVitale(identities: readonly InsiIdentity[], q: CarteVitaleQuery): InsiResult {
  const nom = normalizeName(q.nomNaissance);
  return answer(
    identities.filter(
      (i) =>
        i.matricule === q.matriculeIndividu.numIdentifiant &&
        insKey(i.matricule) === q.matriculeIndividu.cle &&
        i.nomNaissance === nom &&
        i.dateNaissance === q.dateNaissance,
    ),
  );
}

/** The subject and issuer CN and OU of the client certificate, when the TLS handshake verified it. */
function clientCertificate(socket: TLSSocket): { cn: string; ou: string } | null {
  if (!socket.authorized) return null;
  const raw = socket.getPeerCertificate(true)?.raw;
  if (!raw) return null;
  const cert = new X509Certificate(raw);
  const field = (dn: string, name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(dn)?.[1] ?? '';
  if (field(cert.issuer, 'CN') !== caNames.organisations) return null;
  return { cn: field(cert.subject, 'CN'), ou: field(cert.subject, 'OU') };
}

/**
 * Emulator of the INSi téléservice (`ICIR-v1`, SOAP 1.2) behind mutual TLS: only a structure certificate named
 * `INSI-AUTO` or `INSI-MANU` issued by the sandbox's organisations CA gets through (otherwise `DESIR_560`); the
 * request is checked against the WSDL shapes and its headers, the software's IDAM against a known list
 * (`desir_550`), the emitter against the certificate's OU; identities are looked up as the CNDA platform does.
 */
export async function startInsiEmulator(options: InsiEmulatorOptions): Promise<RunningInsiEmulator> {
  const identities = options.identities ?? testIdentities;
  const index = indexIdentities(identities);
  const server = await options.pki.issueServer(['localhost']);
  const state = { calls: 0 };
  const https: Server = createServer(
    {
      key: server.keyPem,
      cert: server.certPem,
      ca: options.pki.caPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      state.calls++;
      const reply = (status: number, body: string) => {
        const send = () => {
          res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' });
          res.end(body);
        };
        if (options.delayMs) setTimeout(send, options.delayMs);
        else send();
      };
      const fault = (code: string, message: string) => reply(500, faultResponse(code, message));
      const client = clientCertificate(req.socket as TLSSocket);
      if (!client || (client.cn !== 'INSI-AUTO' && client.cn !== 'INSI-MANU')) {
        req.resume();
        return fault('DESIR_560', 'Niveau d’accès insuffisant : certificat INSI-AUTO ou INSI-MANU requis');
      }
      if (req.method !== 'POST' || req.url !== '/lps') {
        req.resume();
        return fault('siram_404', `Point d’accès inconnu : ${req.method} ${req.url}`);
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/soap+xml')) {
        req.resume();
        return fault('siram_415', 'Content-Type application/soap+xml (SOAP 1.2) attendu');
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 100_000) chunks.push(chunk);
      });
      req.on('end', () => {
        if (size > 100_000) return fault('siram_413', 'Requête trop volumineuse');
        let request: ReturnType<typeof parseRequest>;
        try {
          request = parseRequest(Buffer.concat(chunks).toString('utf8'));
        } catch (error) {
          if (error instanceof XmlError) return fault('siram_002', `Requête non conforme : ${error.message}`);
          throw error;
        }
        if (!options.idams.includes(request.caller.idam))
          return fault('desir_550', 'Numéro d’autorisation du logiciel inconnu');
        if (request.caller.emitter !== client.ou)
          return fault(
            'siram_003',
            `Émetteur ${request.caller.emitter} différent de l’OU du certificat (${client.ou})`,
          );
        const operation: Operation = request.operation;
        const result =
          operation === 'traits'
            ? searchByTraits(index, request.traits as TraitsQuery)
            : searchByCarteVitale(identities, request.carteVitale as CarteVitaleQuery);
        reply(200, resultResponse(operation, result));
      });
    },
  );
  await new Promise<void>((resolve) => https.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = https.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://localhost:${port}/lps`,
    get calls() {
      return state.calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        https.closeAllConnections();
        https.close(() => resolve());
      }),
  };
}
