import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { rppsIdNat } from '../../../test/organisation-fixture.ts';
import { enrolLocalAccount } from './accounts.ts';
import {
  authenticationOptions,
  createEnrolmentLink,
  enrolmentHolder,
  registrationOptions,
  revokeKeys,
  verifyKey,
} from './security-keys.ts';

const rp = { id: 'localhost', origin: 'http://localhost:8080' };
const idNat = rppsIdNat('1000000001');

describeEachDriver('security keys of local accounts', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
    await enrolLocalAccount(t.database, 's'.repeat(40), { idNat, nom: 'DUPONT', prenom: 'Anne' }, 'test');
  });
  afterAll(async () => t?.drop());

  it('makes one-time links for existing accounts only, which expire', async () => {
    await expect(createEnrolmentLink(t.database, rppsIdNat('1000000002'))).rejects.toThrow(
      'Aucun compte local',
    );
    const token = await createEnrolmentLink(t.database, idNat);
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await enrolmentHolder(t.database, token)).toEqual({ idNat, nom: 'DUPONT', prenom: 'Anne' });
    expect(await enrolmentHolder(t.database, 'x'.repeat(32))).toBeNull();
    await sql`update local_key_enrolment set expires_at = now() - interval '1 minute'`.execute(t.database.db);
    expect(await enrolmentHolder(t.database, token)).toBeNull();
  });

  it('asks keys for user verification, and refuses an answer from an unknown key', async () => {
    const registration = await registrationOptions(t.database, rp, { idNat, nom: 'DUPONT', prenom: 'Anne' });
    expect(registration).toMatchObject({
      rp: { id: 'localhost', name: 'Confiance' },
      authenticatorSelection: { userVerification: 'required' },
    });
    const authentication = await authenticationOptions(t.database, rp, idNat);
    expect(authentication).toMatchObject({
      rpId: 'localhost',
      userVerification: 'required',
      allowCredentials: [],
    });
    expect(
      await verifyKey(t.database, rp, authentication.challenge, {
        id: 'inconnue',
        rawId: 'inconnue',
        type: 'public-key',
        response: { clientDataJSON: '', authenticatorData: '', signature: '' },
        clientExtensionResults: {},
      }),
    ).toBeNull();
    expect(await revokeKeys(t.database, idNat)).toBe(0);
  });
});
