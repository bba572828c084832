import { describe, expect, it } from 'vitest';
import {
  decideLogin,
  type LoginRequest,
  type Means,
  type Population,
  parisMidnight,
  type RuleSet,
} from './rie.ts';
import type { ServiceProfile } from './sensitive.ts';

/** A DUI reachable from outside and feeding the DMP: sensitive. */
const exposed: ServiceProfile = {
  processesHealthData: true,
  shared: false,
  integratesShared: true,
  externalAccess: true,
  newUsagersPerYear: 300,
  professionalsPerYear: 80,
};
/** An on-premise DUI integrating nothing shared, small: not sensitive. */
const onPremise: ServiceProfile = { ...exposed, integratesShared: false, externalAccess: false };

const paris = (local: string) => {
  // Winter dates: Paris is UTC+1.
  const [day, time] = local.split(' ');
  return new Date(parisMidnight(day as string).getTime() + timeMs(time ?? '00:00:00'));
};
const timeMs = (t: string) => {
  const [h, m, s] = t.split(':').map(Number);
  return (((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * 1000;
};

const request = (
  ruleSet: RuleSet,
  population: Population,
  means: Means,
  at: string,
  extra: Partial<LoginRequest> = {},
): LoginRequest => ({ ruleSet, population, service: exposed, means, at: paris(at), remote: true, ...extra });

describe('Paris calendar days', () => {
  it('starts a day at local midnight, winter and summer', () => {
    expect(parisMidnight('2026-01-01').toISOString()).toBe('2025-12-31T23:00:00.000Z');
    expect(parisMidnight('2026-07-01').toISOString()).toBe('2026-06-30T22:00:00.000Z');
    expect(parisMidnight('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });
});

describe('RIE v1, professionals', () => {
  it.each<[string, LoginRequest, boolean, string]>([
    [
      'PSC e-CPS, sensitive service',
      request('v1', 'professionnel', 'psc-e-cps', '2026-06-01'),
      true,
      'EXI-03',
    ],
    ['PSC with a CPS card', request('v1', 'professionnel', 'psc-cps', '2026-06-01'), true, 'EXI-03'],
    ['a CPx card read directly', request('v1', 'professionnel', 'cpx', '2026-06-01'), true, 'EXI-06'],
    [
      'an eIDAS certified means',
      request('v1', 'professionnel', 'idp-habilite', '2026-06-01'),
      true,
      'EXI-03',
    ],
    [
      'a homologated FIDO2 key',
      request('v1', 'professionnel', 'fido2', '2026-06-01', { homologated: true }),
      true,
      'EXI-08',
    ],
    [
      'a FIDO2 key not homologated, sensitive service',
      request('v1', 'professionnel', 'fido2', '2026-06-01'),
      false,
      'EXI-08',
    ],
    [
      'a FIDO2 key, non-sensitive service',
      request('v1', 'professionnel', 'fido2', '2026-06-01', { service: onPremise, remote: false }),
      true,
      'EXI-21',
    ],
    [
      'password alone from outside',
      request('v1', 'professionnel', 'password', '2024-06-01', { service: onPremise }),
      false,
      'EXI-22',
    ],
    [
      'password alone, local, non-sensitive',
      request('v1', 'professionnel', 'password', '2027-06-01', { service: onPremise, remote: false }),
      true,
      'EXI-21',
    ],
    [
      'FranceConnect is not for professionals',
      request('v1', 'professionnel', 'franceconnect', '2024-06-01'),
      false,
      'MIE',
    ],
    [
      'a backup means does not exist in v1',
      request('v1', 'professionnel', 'backup', '2024-06-01'),
      false,
      'EXI-03',
    ],
  ])('%s', (_name, r, allowed, rule) => {
    const d = decideLogin(r);
    expect(d.allowed).toBe(allowed);
    expect(d.rules).toContain(rule);
    expect(d.reasons.length).toBeGreaterThan(0);
    expect(d.session).toEqual(allowed ? { absoluteSeconds: 36_000, idleSeconds: 1800 } : null);
  });

  it('admits password + TOTP on a sensitive service until 31/12/2025 23:59:59 Paris, not from 01/01/2026 00:00:00', () => {
    const last = decideLogin(request('v1', 'professionnel', 'password-totp', '2025-12-31 23:59:59'));
    expect(last.allowed).toBe(true);
    expect(last.reasons.join(' ')).toContain('jusqu’au 31/12/2025 inclus');
    const first = decideLogin(request('v1', 'professionnel', 'password-totp', '2026-01-01 00:00:00'));
    expect(first.allowed).toBe(false);
    expect(first.reasons.at(-1)).toContain('depuis le 01/01/2026');
    expect(first.reasons[0]).toMatch(/^Service sensible : .*Accessible depuis l’extérieur/);
  });

  it('keeps password + TOTP for an on-premise, non-sensitive DUI after the deadline', () => {
    const d = decideLogin(
      request('v1', 'professionnel', 'password-totp', '2026-03-01', { service: onPremise, remote: false }),
    );
    expect(d).toMatchObject({ allowed: true, rules: ['4.1.2', 'EXI-21'] });
  });

  it('asks nothing before its entry into force on 01/06/2022', () => {
    expect(decideLogin(request('v1', 'professionnel', 'password', '2022-05-31 23:59:59')).allowed).toBe(true);
    expect(decideLogin(request('v1', 'professionnel', 'password', '2022-06-01')).allowed).toBe(false);
  });
});

describe('RIE v2 draft, professionals', () => {
  it.each<[string, LoginRequest, boolean, string]>([
    ['PSC e-CPS', request('v2', 'professionnel', 'psc-e-cps', '2027-06-01'), true, 'RIE-PS-02'],
    [
      'an IdP habilitated for PSC',
      request('v2', 'professionnel', 'idp-habilite', '2027-06-01'),
      true,
      'RIE-PS-02',
    ],
    [
      'CPx read directly by a historic service',
      request('v2', 'professionnel', 'cpx', '2027-06-01', { historicService: true }),
      true,
      'RIE-PS-02',
    ],
    [
      'CPx read directly by a new service',
      request('v2', 'professionnel', 'cpx', '2027-06-01'),
      false,
      'RIE-PS-02',
    ],
    [
      'FIDO2 key with an attestation de conformité',
      request('v2', 'professionnel', 'fido2', '2027-06-01', { homologated: true }),
      true,
      'RIE-PS-17',
    ],
    [
      'password alone, even locally',
      request('v2', 'professionnel', 'password', '2026-11-01', { remote: false }),
      false,
      'RIE-PS-09',
    ],
    [
      'password alone from outside',
      request('v2', 'professionnel', 'password', '2026-11-01'),
      false,
      'RIE-PS-22',
    ],
    [
      'backup means while PSC is down',
      request('v2', 'professionnel', 'backup', '2027-06-01', { pscUnavailable: true, remote: false }),
      true,
      'RIE-PS-16',
    ],
    [
      'backup means while PSC works',
      request('v2', 'professionnel', 'backup', '2027-06-01', { remote: false }),
      false,
      'RIE-PS-16',
    ],
  ])('%s', (_name, r, allowed, rule) => {
    const d = decideLogin(r);
    expect(d.allowed).toBe(allowed);
    expect(d.rules).toEqual(['RIE-PS-03', rule]);
    expect(d.session).toEqual(allowed ? { absoluteSeconds: 14_400, idleSeconds: 1800 } : null);
  });

  it('refuses means meant for another public, whatever the rule set', () => {
    expect(decideLogin(request('v2', 'professionnel', 'fc-plus', '2027-06-01'))).toMatchObject({
      allowed: false,
      rules: ['MIE'],
      reasons: ['FranceConnect+ : ce moyen n’est pas prévu pour ce public (professionnel).'],
    });
  });

  it('admits the hub’s own means without attestation until 31/12/2026 inclusive', () => {
    expect(decideLogin(request('v2', 'professionnel', 'password-totp', '2026-12-31 23:59:59')).allowed).toBe(
      true,
    );
    const after = decideLogin(request('v2', 'professionnel', 'fido2', '2027-01-01 00:00:00'));
    expect(after.allowed).toBe(false);
    expect(after.reasons.at(-1)).toContain('après le 31/12/2026');
  });
});

describe('usagers and aidants', () => {
  it.each<[RuleSet, Population, Means, string, boolean]>([
    ['v1', 'usager', 'fc-plus', '2027-01-01', true],
    ['v1', 'aidant', 'apcv', '2027-01-01', true],
    ['v1', 'usager', 'france-identite', '2027-01-01', true],
    ['v1', 'usager', 'franceconnect', '2025-12-31 23:59:59', true],
    ['v1', 'usager', 'franceconnect', '2026-01-01 00:00:00', false],
    ['v1', 'usager', 'password', '2024-01-01', false],
    ['v2', 'usager', 'franceconnect', '2028-12-31 23:59:59', true],
    ['v2', 'aidant', 'franceconnect', '2029-01-01 00:00:00', false],
    ['v2', 'usager', 'password-totp', '2027-01-01', true],
    ['v1', 'usager', 'psc-e-cps', '2024-01-01', false],
    ['v2', 'usager', 'certificat-org', '2024-01-01', false],
  ])('%s %s with %s on %s → %s', (ruleSet, population, m, at, allowed) => {
    expect(decideLogin(request(ruleSet, population, m, at)).allowed).toBe(allowed);
  });
});

describe('structures (personnes morales)', () => {
  it('authenticate by IGC Santé certificate; a shared secret only for a service without health data', () => {
    expect(decideLogin(request('v1', 'structure', 'certificat-org', '2026-01-01')).allowed).toBe(true);
    const secret = decideLogin(request('v1', 'structure', 'client-secret', '2026-01-01'));
    expect(secret.allowed).toBe(false);
    expect(secret.reasons[0]).toContain('certificat IGC Santé en TLS mutuel');
    expect(
      decideLogin(
        request('v2', 'structure', 'client-secret', '2027-01-01', {
          service: { ...onPremise, processesHealthData: false },
        }),
      ).allowed,
    ).toBe(true);
  });
});
