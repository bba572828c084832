import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallerContext,
  carteVitaleRequest,
  faultResponse,
  InsiFault,
  type InsiResult,
  parseRequest,
  parseResponse,
  resultResponse,
  traitsRequest,
} from './messages.ts';
import { XmlError } from './xml.ts';

const caller: CallerContext = {
  idam: 'CONFIANCE-TEST',
  version: '0.1.0',
  instance: '6f1c9a52-0c3e-4c4a-9d87-0d9b6d8f0d11',
  name: 'urn:lps:confiance:0.1.0',
  emitter: '1920000000',
};

const ecetinsi: InsiResult = {
  code: '00',
  label: 'OK',
  individu: {
    insActif: {
      numIdentifiant: '1090763220834',
      cle: '89',
      oid: '1.2.250.1.213.1.4.8',
      dateDeb: null,
      dateFin: null,
    },
    insHisto: [
      {
        numIdentifiant: '2090763220834',
        cle: '39',
        oid: '1.2.250.1.213.1.4.8',
        dateDeb: '2009-07-14',
        dateFin: '2020-01-01',
      },
    ],
    tiq: {
      nomNaissance: 'ECETINSI',
      prenom: 'PIERRE-ALAIN',
      listePrenom: 'PIERRE-ALAIN MURIEL FLORIANT',
      sexe: 'M',
      dateNaissance: '2009-07-14',
      lieuNaissance: '63220',
    },
  },
};

describe('INSi SOAP messages', () => {
  it('writes a traits request with its headers, which the server side reads back', () => {
    const xml = traitsRequest(caller, {
      nomNaissance: "D'AEION",
      prenoms: ['COEUR'],
      sexe: 'M',
      dateNaissance: '1987-01-25',
    });
    expect(xml).toContain('urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite');
    expect(xml).toContain('<ctxlps:IDAM R="4">CONFIANCE-TEST</ctxlps:IDAM>');
    expect(xml).toContain('xmlns:soap="http://www.w3.org/2003/05/soap-envelope"');
    expect(parseRequest(xml)).toEqual({
      operation: 'traits',
      caller,
      carteVitale: null,
      traits: { nomNaissance: "D'AEION", prenoms: ['COEUR'], sexe: 'M', dateNaissance: '1987-01-25' },
    });
  });

  it('writes a carte Vitale request', () => {
    const q = {
      matriculeIndividu: { numIdentifiant: '2970221234567', cle: '12' },
      matriculeOD: { numIdentifiant: '2970221234567', cle: '12' },
      nomNaissance: 'ADRTROIS',
      dateNaissance: '1997-02-26',
      rangNaissance: '1',
    };
    expect(parseRequest(carteVitaleRequest(caller, q))).toMatchObject({
      operation: 'carteVitale',
      carteVitale: q,
    });
  });

  it('reads results, INSHISTO included, and faults', () => {
    expect(parseResponse(resultResponse('traits', ecetinsi))).toEqual(ecetinsi);
    expect(
      parseResponse(
        resultResponse('traits', { code: '01', label: 'Aucune identite trouvee', individu: null }),
      ),
    ).toEqual({
      code: '01',
      label: 'Aucune identite trouvee',
      individu: null,
    });
    const fault = (() => {
      try {
        parseResponse(faultResponse('DESIR_560', 'Niveau d’accès insuffisant'));
      } catch (error) {
        return error;
      }
    })() as InsiFault;
    expect(fault).toBeInstanceOf(InsiFault);
    expect(fault).toMatchObject({
      code: 'DESIR_560',
      subcode: 'siram:siram_100',
      message: 'Niveau d’accès insuffisant',
    });
  });

  it('refuses what is not the WSDL’s shape, naming what is wrong', () => {
    const xml = traitsRequest(caller, {
      nomNaissance: 'A',
      prenoms: [],
      sexe: 'F',
      dateNaissance: '2000-01-01',
    });
    expect(() => parseRequest(xml.replace('Version="01_02"', 'Version="02_00"'))).toThrow(
      /ContexteBAM : Version 01_02/,
    );
    expect(() =>
      parseRequest(
        xml.replace('http://www.w3.org/2003/05/soap-envelope', 'http://schemas.xmlsoap.org/soap/envelope/'),
      ),
    ).toThrow(/Envelope absent/);
    expect(() => parseRequest(xml.replace(/<ctxlps:IDAM[^/]*\/ctxlps:IDAM>/, ''))).toThrow(
      /IDAM absent de LPS/,
    );
    expect(() => parseRequest('<!DOCTYPE x [<!ENTITY a "b">]><x/>')).toThrow(/DOCTYPE interdit/);
    expect(() => parseRequest('<soap:Envelope')).toThrow(XmlError);
  });

  it('round-trips any traits, whatever characters they hold', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 40 })
          .filter(
            (s) =>
              s !== '' && s.trim() === s && ![...s].some((c) => c < ' ' || c === '\ufffe' || c === '\uffff'),
          ),
        fc.array(fc.stringMatching(/^[A-Z][A-Z' -]{0,20}[A-Z]$/), { maxLength: 3 }),
        fc.constantFrom('M' as const, 'F' as const),
        (nom, prenoms, sexe) => {
          const q = { nomNaissance: nom, prenoms, sexe, dateNaissance: '1990-05-17', lieuNaissance: '2B020' };
          expect(parseRequest(traitsRequest(caller, q)).traits).toEqual(q);
        },
      ),
    );
  });
});
