import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInsiEmulator, startInsiEmulator } from '../../sandbox/insi.ts';
import { createTestPki, type TestPki } from '../../sandbox/pki.ts';
import { parseTraits } from '../traits.ts';
import { explainFault, InsiClient, type InsiClientOptions, InsiUnavailableError } from './client.ts';
import { InsiFault } from './messages.ts';

describe('INSi client against the emulated téléservice, over mutual TLS', () => {
  let pki: TestPki;
  let emulator: RunningInsiEmulator;
  let options: InsiClientOptions;
  const clients: InsiClient[] = [];
  const client = (extra: Partial<InsiClientOptions> = {}) => {
    const c = new InsiClient({ ...options, ...extra });
    clients.push(c);
    return c;
  };
  const traits = (nom: string, prenoms: string, sexe: string, date: string, lieu: string) =>
    parseTraits({
      nomNaissance: nom,
      prenomsNaissance: prenoms,
      sexe,
      dateNaissance: date,
      lieuNaissance: lieu,
    });

  beforeAll(async () => {
    pki = await createTestPki();
    emulator = await startInsiEmulator({ pki, idams: ['CONFIANCE-TEST'] });
    const cert = await pki.issueOrganisation({ cn: 'INSI-AUTO', ou: '1920000000', o: 'EHPAD LES TILLEULS' });
    options = {
      url: emulator.url,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      caPem: pki.caPem,
      idam: 'CONFIANCE-TEST',
      version: '0.1.0',
      instance: randomUUID(),
      attempts: 2,
      timeoutMs: 2000,
    };
  }, 90_000);
  afterAll(async () => {
    for (const c of clients) await c.close();
    await emulator.close();
  });

  it('retrieves the INS of a public test identity, with its traits and INSHISTO', async () => {
    const { result, attempts } = await client().searchByTraits(
      traits('Ecetinsi', 'Pierre-Alain Muriel Floriant', 'M', '2009-07-14', '63220'),
    );
    expect(result.code).toBe('00');
    expect(result.individu?.insActif).toMatchObject({
      numIdentifiant: '1090763220834',
      cle: '89',
      oid: '1.2.250.1.213.1.4.8',
    });
    expect(result.individu?.insHisto.map((h) => `${h.numIdentifiant} ${h.cle}`)).toEqual([
      '2090763220834 39',
      '2090663220123 55',
    ]);
    expect(result.individu?.tiq.listePrenom).toBe('PIERRE-ALAIN MURIEL FLORIANT');
    expect(attempts).toEqual([{ prenoms: ['PIERRE-ALAIN'], lieuNaissance: null, code: '00' }]);
  });

  it('follows the guidance when several identities are found: all given names, then the birth place', async () => {
    const homonym = await client().searchByTraits(
      traits('Homonyme', 'Marie Louise', 'F', '1985-04-12', '63113'),
    );
    expect(homonym.attempts.map((a) => a.code)).toEqual(['02', '00']);
    expect(homonym.result.individu?.insActif.numIdentifiant).toBe('2850463113045');
    const twins = await client().searchByTraits(traits('Jumeau', 'Jean', 'M', '1972-01-30', '13055'));
    expect(twins.attempts).toEqual([
      { prenoms: ['JEAN'], lieuNaissance: null, code: '02' },
      { prenoms: ['JEAN'], lieuNaissance: '13055', code: '00' },
    ]);
    expect(twins.result.individu?.insActif.numIdentifiant).toBe('1720113055321');
  });

  it('tries the other given names when nobody is found, and answers 01 for the CNDA triggers', async () => {
    const other = await client().searchByTraits(traits('Tchitchi', 'Rosa Bella', 'F', '1936-06-21', '63220'));
    expect(other.attempts.map((a) => `${a.prenoms.join(' ')}:${a.code}`)).toEqual(['ROSA:01', 'BELLA:00']);
    const none = await client().searchByTraits(traits('Ola', 'Ola', 'F', '1990-01-01', '75056'));
    expect(none.result.code).toBe('01');
    const nia = await client().searchByTraits(traits('Provisoire', 'Matricule', 'M', '2009-07-14', '63220'));
    expect(nia.result.individu?.insActif).toMatchObject({
      numIdentifiant: '1090763220888',
      cle: '35',
      oid: '1.2.250.1.213.1.4.9',
    });
  });

  it('gets DESIR_560 with a certificate of another name or from another CA', async () => {
    const wrongName = await pki.issueOrganisation({ cn: 'SERVEUR-DUI', ou: '1920000000', o: 'EHPAD' });
    expect(() => client({ ...wrongName })).toThrow(/INSI-AUTO ou INSI-MANU/);
    const other = await createTestPki();
    const foreign = await other.issueOrganisation({ cn: 'INSI-MANU', ou: '1920000000', o: 'EHPAD' });
    const error = await client({ certPem: foreign.certPem, keyPem: foreign.keyPem })
      .query({ nomNaissance: 'CORSE', prenoms: ['ANTHONY'], sexe: 'M', dateNaissance: '1980-03-02' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsiFault);
    expect(explainFault(error as InsiFault)).toMatch(
      /certificat de structure IGC Santé nommé INSI-AUTO ou INSI-MANU/,
    );
  });

  it('gets desir_550 for unknown software, and a clear error when the téléservice is unreachable or slow', async () => {
    const error = await client({ idam: 'INCONNU' })
      .query({ nomNaissance: 'CORSE', prenoms: ['ANTHONY'], sexe: 'M', dateNaissance: '1980-03-02' })
      .catch((e: unknown) => e);
    expect(explainFault(error as InsiFault)).toMatch(/numéro d’autorisation CNDA \(IDAM\)/);
    const unreachable = await client({ url: 'https://localhost:1/lps' })
      .query({ nomNaissance: 'CORSE', prenoms: ['ANTHONY'], sexe: 'M', dateNaissance: '1980-03-02' })
      .catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(InsiUnavailableError);
    expect((unreachable as Error).message).toMatch(/injoignable après 2 tentative/);
    const slow = await startInsiEmulator({ pki, idams: ['CONFIANCE-TEST'], delayMs: 1500 });
    try {
      const timedOut = await client({ url: slow.url, timeoutMs: 300 })
        .query({ nomNaissance: 'CORSE', prenoms: ['ANTHONY'], sexe: 'M', dateNaissance: '1980-03-02' })
        .catch((e: unknown) => e);
      expect(timedOut).toBeInstanceOf(InsiUnavailableError);
      expect(slow.calls).toBe(2);
    } finally {
      await slow.close();
    }
  });

  it('finds an identity with the carte Vitale operation', async () => {
    const result = await client().withCarteVitale({
      matriculeIndividu: { numIdentifiant: '180032B020401', cle: '23' },
      matriculeOD: { numIdentifiant: '180032B020401', cle: '23' },
      nomNaissance: 'CORSE',
      dateNaissance: '1980-03-02',
      rangNaissance: '1',
    });
    expect(result.code).toBe('00');
  });
});
