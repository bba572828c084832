import { X509Certificate } from 'node:crypto';
import { Agent, request } from 'undici';
import type { TraitsStricts } from '../traits.ts';
import {
  actions,
  type CallerContext,
  type CarteVitaleQuery,
  carteVitaleRequest,
  type InsiFault,
  type InsiResult,
  type Operation,
  parseResponse,
  type TraitsQuery,
  traitsRequest,
} from './messages.ts';
import { XmlError } from './xml.ts';

/** The téléservice could not be asked or did not answer usably; the usager's status must stay as it was. */
export class InsiUnavailableError extends Error {
  override name = 'InsiUnavailableError';
}

export interface InsiClientOptions {
  url: string;
  /** The structure's `INSI-AUTO` or `INSI-MANU` certificate and key (PEM), and the CAs trusted for the server. */
  certPem: string;
  keyPem: string;
  caPem: string;
  /** CNDA authorisation number of the software. */
  idam: string;
  version: string;
  /** UUID of this installation. */
  instance: string;
  timeoutMs?: number;
  attempts?: number;
}

export interface Attempt {
  prenoms: string[];
  lieuNaissance: string | null;
  code: InsiResult['code'];
}

export interface TraitsSearch {
  result: InsiResult;
  /** Every call made, in order, as the guidance's strategy went. */
  attempts: Attempt[];
}

/** French messages for the faults the guidance documents; others keep the téléservice's own words. */
export function explainFault(fault: InsiFault): string {
  switch (fault.code.toLowerCase()) {
    case 'desir_550':
      return 'Logiciel inconnu du téléservice INSi : le numéro d’autorisation CNDA (IDAM) configuré n’est pas reconnu.';
    case 'desir_560':
      return 'Certificat refusé par le téléservice INSi : il faut le certificat de structure IGC Santé nommé INSI-AUTO ou INSI-MANU.';
    default:
      return `Le téléservice INSi a refusé la demande (${fault.code}) : ${fault.message}`;
  }
}

/**
 * Client of the INSi téléservice over mutual TLS with the structure's certificate. The emitter of the context
 * headers is the certificate's OU (the structure's idNat_Struct), as the téléservice checks.
 */
export class InsiClient {
  private readonly agent: Agent;
  readonly caller: CallerContext;

  constructor(private readonly options: InsiClientOptions) {
    const cert = new X509Certificate(options.certPem);
    const cn = /^CN=(.*)$/m.exec(cert.subject)?.[1];
    if (cn !== 'INSI-AUTO' && cn !== 'INSI-MANU')
      throw new InsiUnavailableError(
        `Le certificat configuré pour INSi s’appelle « ${cn ?? '?'} » : le téléservice n’accepte que INSI-AUTO ou INSI-MANU.`,
      );
    this.caller = {
      idam: options.idam,
      version: options.version,
      instance: options.instance,
      name: `urn:lps:confiance:${options.version}`,
      emitter: /^OU=(.*)$/m.exec(cert.subject)?.[1] ?? '',
    };
    this.agent = new Agent({
      connect: { cert: options.certPem, key: options.keyPem, ca: options.caPem },
      headersTimeout: options.timeoutMs ?? 10_000,
      bodyTimeout: options.timeoutMs ?? 10_000,
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async call(operation: Operation, xml: string): Promise<InsiResult> {
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      let body: string;
      try {
        const response = await request(this.options.url, {
          method: 'POST',
          dispatcher: this.agent,
          headers: { 'content-type': `application/soap+xml; charset=utf-8; action="${actions[operation]}"` },
          body: xml,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        body = await response.body.text();
        if (response.statusCode !== 200 && !body.includes('Fault'))
          throw new InsiUnavailableError(`Le téléservice INSi a répondu HTTP ${response.statusCode}.`);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (attempt < attempts) continue;
        throw new InsiUnavailableError(
          `Téléservice INSi injoignable après ${attempt} tentative(s) : ${reason}`,
        );
      }
      try {
        return parseResponse(body);
      } catch (error) {
        if (error instanceof XmlError)
          throw new InsiUnavailableError(`Réponse du téléservice INSi illisible : ${error.message}`);
        throw error;
      }
    }
  }

  query(q: TraitsQuery): Promise<InsiResult> {
    return this.call('traits', traitsRequest(this.caller, q));
  }

  withCarteVitale(q: CarteVitaleQuery): Promise<InsiResult> {
    return this.call('carteVitale', carteVitaleRequest(this.caller, q));
  }

  /**
   * The guidance's strategy: the first given name; if nobody is found, each other given name, then the whole
   * list; if several are found, the whole list, then the birth place. Stops at the first single identity.
   */
  async searchByTraits(traits: TraitsStricts): Promise<TraitsSearch> {
    const attempts: Attempt[] = [];
    const ask = async (prenoms: string[], lieuNaissance: string | null) => {
      const result = await this.query({
        nomNaissance: traits.nomNaissance,
        prenoms,
        sexe: traits.sexe,
        dateNaissance: traits.dateNaissance,
        ...(lieuNaissance && { lieuNaissance }),
      });
      attempts.push({ prenoms, lieuNaissance, code: result.code });
      return result;
    };
    const all = traits.prenomsNaissance;
    let result = await ask([traits.premierPrenom], null);
    if (result.code === '01') {
      for (const other of all.slice(1)) {
        result = await ask([other], null);
        if (result.code !== '01') break;
      }
      if (result.code === '01' && all.length > 1) result = await ask(all, null);
    }
    if (result.code === '02') {
      if (all.length > 1) result = await ask(all, null);
      if (result.code === '02') result = await ask(all, traits.lieuNaissance);
    }
    return { result, attempts };
  }
}
