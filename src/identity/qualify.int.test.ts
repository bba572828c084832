import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { type RunningInsiEmulator, startInsiEmulator } from '../sandbox/insi.ts';
import { createTestPki } from '../sandbox/pki.ts';
import { InsiClient } from './insi/client.ts';
import { InsiCallError, qualifyWithAppliCarteVitale, retrieveIns } from './qualify.ts';
import { TraitsError } from './traits.ts';
import {
  applyIdentityEvent,
  createUsager,
  getUsager,
  type IdentityActor,
  listUsagers,
  qualificationShares,
} from './usagers.ts';

const actor: IdentityActor = {
  kind: 'professional',
  id: '810000000009',
  structureFiness: '920000000',
  means: 'e-CPS',
  level: 'eidas2',
};

describeEachDriver('usager identity: admission, document check, INSi qualification', (driver) => {
  let t: TestDatabase;
  let emulator: RunningInsiEmulator;
  let client: InsiClient;
  let broken: InsiClient;

  beforeAll(async () => {
    t = await createTestDatabase(driver);
    const pki = await createTestPki();
    emulator = await startInsiEmulator({ pki, idams: ['CONFIANCE-TEST'] });
    const cert = await pki.issueOrganisation({ cn: 'INSI-MANU', ou: '1920000000', o: 'EHPAD LES TILLEULS' });
    const options = {
      url: emulator.url,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      caPem: pki.caPem,
      idam: 'CONFIANCE-TEST',
      version: '0.1.0',
      instance: randomUUID(),
      attempts: 1,
      timeoutMs: 2000,
    };
    client = new InsiClient(options);
    broken = new InsiClient({ ...options, url: 'https://localhost:1/lps' });
  }, 90_000);
  afterAll(async () => {
    await client.close();
    await broken.close();
    await emulator.close();
    await t.drop();
  });

  it('admits an usager with normalised traits, then qualifies him: document, then INSi', async () => {
    const u = await createUsager(
      t.database,
      {
        traits: {
          nomNaissance: 'Ecetinsi',
          prenomsNaissance: 'Pierre-Alain Muriel Floriant',
          sexe: 'M',
          dateNaissance: '2009-07-14',
          lieuNaissance: '63220',
        },
        telephone: '0601020304',
      },
      actor,
    );
    expect(u.identity.status).toBe('PROV');
    expect(u.structureFiness).toBe('920000000');
    const checked = await applyIdentityEvent(
      t.database,
      u.id,
      { type: 'document-checked', mode: 'PA', by: actor.id, at: '2026-11-24T09:00:00Z' },
      actor,
    );
    expect(checked.usager.identity.status).toBe('VALI');
    const retrieval = await retrieveIns(t.database, u.id, client, actor);
    expect(retrieval.outcome).toBe('retrieved');
    const after = await getUsager(t.database, u.id);
    expect(after.identity.status).toBe('QUAL');
    expect(after.ins).toEqual({
      matricule: '1090763220834',
      cle: '89',
      oid: '1.2.250.1.213.1.4.8',
      histo: [
        { matricule: '2090763220834', cle: '39', oid: '1.2.250.1.213.1.4.8' },
        { matricule: '2090663220123', cle: '55', oid: '1.2.250.1.213.1.4.8' },
      ],
    });
    const events = await sql<{
      action: string;
      outcome: string;
      actor_id: string;
      structure_finess: string;
      mie: string;
    }>`
      select action, outcome, actor_id, structure_finess, mie from audit_event where subject_id = ${u.id} order by seq`.execute(
      t.database.db,
    );
    expect(events.rows.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'identity.usager.create:success',
      'identity.status.change:success',
      'identity.insi.call:success',
      'identity.status.change:success',
    ]);
    for (const e of events.rows)
      expect(e).toMatchObject({ actor_id: actor.id, structure_finess: '920000000', mie: 'e-CPS' });
  });

  it('shows differences with INSi instead of overwriting the local traits', async () => {
    const u = await createUsager(
      t.database,
      {
        traits: {
          nomNaissance: 'Tchitchi',
          prenomsNaissance: 'Catarina',
          sexe: 'F',
          dateNaissance: '1936-06-21',
          lieuNaissance: '63220',
        },
      },
      actor,
    );
    const retrieval = await retrieveIns(t.database, u.id, client, actor);
    expect(retrieval).toMatchObject({
      outcome: 'differences',
      differences: [{ trait: 'prenomsNaissance', local: 'CATARINA', insi: 'CATARINA BELLA' }],
    });
    expect((await getUsager(t.database, u.id)).identity.status).toBe('PROV');
    expect((await getUsager(t.database, u.id)).ins).toBeNull();
  });

  it('leaves the status unchanged, with a clear error, when INSi is unreachable; and refuses bad traits by field', async () => {
    const u = await createUsager(
      t.database,
      {
        traits: {
          nomNaissance: 'Corse',
          prenomsNaissance: 'Anthony',
          sexe: 'M',
          dateNaissance: '1980-03-02',
          lieuNaissance: '2B020',
        },
      },
      actor,
    );
    await expect(retrieveIns(t.database, u.id, broken, actor)).rejects.toThrow(InsiCallError);
    expect((await getUsager(t.database, u.id)).identity.status).toBe('PROV');
    const failure = await sql<{ outcome: string }>`
      select outcome from audit_event where subject_id = ${u.id} and action = 'identity.insi.call'`.execute(
      t.database.db,
    );
    expect(failure.rows).toEqual([{ outcome: 'failure' }]);
    await expect(
      createUsager(t.database, { traits: { nomNaissance: 'X1', prenomsNaissance: '', sexe: 'H' } }, actor),
    ).rejects.toThrow(TraitsError);
  });

  it('qualifies at once through the Application carte Vitale, after checking the INS key', async () => {
    const u = await createUsager(
      t.database,
      {
        traits: {
          nomNaissance: 'Adrtrois',
          prenomsNaissance: 'Dominique',
          sexe: 'F',
          dateNaissance: '1997-02-26',
          lieuNaissance: '2A020',
        },
      },
      actor,
    );
    const wrong = await qualifyWithAppliCarteVitale(
      t.database,
      u.id,
      { value: '297022A02077879', oid: '1.2.250.1.213.1.4.8' },
      actor,
    );
    expect(wrong).toMatchObject({ ok: false, usager: { identity: { status: 'PROV' } } });
    expect(wrong.reason).toMatch(/Clé INS 79 incorrecte/);
    const ok = await qualifyWithAppliCarteVitale(
      t.database,
      u.id,
      { value: '297022A020778 78', oid: '1.2.250.1.213.1.4.8' },
      actor,
    );
    expect(ok.usager.identity).toMatchObject({ status: 'QUAL', method: 'AV', document: { mode: 'AV' } });
    expect(ok.usager.ins?.matricule).toBe('297022A020778');
  });

  it('refuses to validate a doubtful identity, and counts qualified identities per structure', async () => {
    const u = await createUsager(
      t.database,
      {
        traits: {
          nomNaissance: 'Doute',
          prenomsNaissance: 'Jean',
          sexe: 'M',
          dateNaissance: '1950-01-01',
          lieuNaissance: '75056',
        },
      },
      actor,
    );
    await applyIdentityEvent(t.database, u.id, { type: 'attribute-set', attribute: 'DOUT' }, actor);
    const refused = await applyIdentityEvent(
      t.database,
      u.id,
      { type: 'document-checked', mode: 'CN', by: actor.id, at: '2026-11-24T09:00:00Z' },
      actor,
    );
    expect(refused.ok).toBe(false);
    expect(refused.usager.identity.status).toBe('PROV');
    const shares = await qualificationShares(t.database);
    expect(shares).toEqual([
      expect.objectContaining({ structureFiness: '920000000', total: 5, qualified: 2 }),
    ]);
    expect((await listUsagers(t.database, { status: 'QUAL' })).map((x) => x.traits.nomNaissance)).toEqual([
      'ADRTROIS',
      'ECETINSI',
    ]);
  });
});
