import { describe, expect, it } from 'vitest';
import { decideLogin } from '../../auth/policy/rie.ts';
import { loginChoicePage, loginRefusedPage, situationPage } from './connexion.ts';

const service = {
  processesHealthData: true,
  shared: false,
  integratesShared: true,
  externalAccess: true,
  newUsagersPerYear: 0,
  professionalsPerYear: 0,
};
const at = new Date('2026-02-01T09:00:00Z');

describe('login pages', () => {
  it('offers an admitted means, says when one is not configured, and explains a refusal', () => {
    const page = loginChoicePage({
      client: 'DUI <b>X</b>',
      ruleSet: 'RIE v1',
      at,
      offers: [
        {
          id: 'psc',
          label: 'Pro Santé Connect',
          decision: decideLogin({
            ruleSet: 'v1',
            population: 'professionnel',
            service,
            means: 'psc-e-cps',
            at,
            remote: true,
          }),
          action: '/connexion/u/psc',
          password: false,
        },
        {
          id: 'fc',
          label: 'FranceConnect+',
          decision: decideLogin({
            ruleSet: 'v1',
            population: 'usager',
            service,
            means: 'fc-plus',
            at,
            remote: true,
          }),
          action: null,
          password: false,
        },
        {
          id: 'mdp',
          label: 'mot de passe',
          decision: decideLogin({
            ruleSet: 'v1',
            population: 'professionnel',
            service,
            means: 'password-totp',
            at,
            remote: true,
          }),
          action: '/connexion/u/mot-de-passe',
          password: true,
        },
      ],
    });
    expect(page).toContain('DUI &lt;b&gt;X&lt;/b&gt;');
    expect(page).toContain('action="/connexion/u/psc"');
    expect(page).toContain('Non configuré sur cette instance');
    expect(page).toContain('Non admis ici');
    expect(page).not.toContain('action="/connexion/u/mot-de-passe"');
    expect(page).toContain('1 février 2026');
  });

  it('lists situations with their directory check, and refusals with a way back', () => {
    const page = situationPage({
      action: '/connexion/u/situation',
      name: 'Anne DUPONT',
      preselected: '0.1',
      situations: [
        {
          key: '0.0',
          professionCode: '60',
          nomExercice: 'DUPONT',
          prenomExercice: 'Anne',
          finessSite: '690000012',
          finessEj: null,
          siret: null,
          raisonSociale: 'EHPAD',
          roleCode: null,
          modeCode: null,
          verified: true,
        },
        {
          key: '0.1',
          professionCode: '60',
          nomExercice: 'DUPONT',
          prenomExercice: 'Anne',
          finessSite: null,
          finessEj: null,
          siret: '30000001200012',
          raisonSociale: null,
          roleCode: null,
          modeCode: null,
          verified: false,
        },
      ],
    });
    expect(page).toContain('EHPAD — FINESS 690000012');
    expect(page).toContain('Structure sans nom — SIRET 30000001200012');
    expect(page).toContain('value="0.1" checked');
    expect(page).toContain('absente de l’annuaire local');
    expect(loginRefusedPage({ title: 'Refus', detail: 'Parce que', retry: '/connexion/u' })).toContain(
      'href="/connexion/u"',
    );
  });
});
