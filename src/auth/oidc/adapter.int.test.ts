import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../../test/databases.ts';
import { databaseAdapter, purgeExpired } from './adapter.ts';

describeEachDriver('oidc-provider storage adapter', (driver) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(driver);
  });
  afterAll(async () => t?.drop());

  it('stores per model, finds by id, uid and user code, consumes, revokes by grant, forgets what expired', async () => {
    const Adapter = databaseAdapter(t.database);
    const codes = new Adapter('AuthorizationCode');
    const sessions = new Adapter('Session');
    await codes.upsert('c1', { uid: 'u1', grantId: 'g1', accountId: 'a' }, 60);
    await codes.upsert('c2', { userCode: 'ABCD', grantId: 'g2' }, 60);
    await sessions.upsert('c1', { uid: 'u-session' }, 60);
    expect(await codes.find('c1')).toEqual({ uid: 'u1', grantId: 'g1', accountId: 'a' });
    expect(await codes.findByUid('u1')).toMatchObject({ grantId: 'g1' });
    expect(await codes.findByUserCode('ABCD')).toMatchObject({ grantId: 'g2' });
    expect(await sessions.find('c1')).toEqual({ uid: 'u-session' });
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toBeGreaterThan(0);
    await codes.upsert('c1', { uid: 'u1', grantId: 'g1', accountId: 'b' }, 60);
    expect(await codes.find('c1')).toMatchObject({ accountId: 'b' });
    await codes.revokeByGrantId('g1');
    expect(await codes.find('c1')).toBeUndefined();
    await codes.destroy('c2');
    expect(await codes.find('c2')).toBeUndefined();
    await codes.upsert('old', { grantId: 'g3' }, 60);
    await sql`update oidc_payload set expires_at = now() - interval '1 second' where id = 'old'`.execute(
      t.database.db,
    );
    expect(await codes.find('old')).toBeUndefined();
    expect(await purgeExpired(t.database)).toBe(1);
  });

  it('hands an upstream state over once only, even to requests racing for it', async () => {
    const logins = new (databaseAdapter(t.database))('PscLogin');
    await logins.upsert('state-1', { uid: 'u1' }, 60);
    const raced = await Promise.all(Array.from({ length: 5 }, () => logins.take('state-1')));
    expect(raced.filter((p) => p !== undefined)).toEqual([{ uid: 'u1' }]);
    expect(await logins.take('state-1')).toBeUndefined();
    // Still readable once taken (its identity is read by uid afterwards), and marked consumed.
    expect((await logins.findByUid('u1'))?.consumed).toBeGreaterThan(0);
    await logins.upsert('state-2', { uid: 'u2' }, 60);
    await sql`update oidc_payload set expires_at = now() - interval '1 second' where id = 'state-2'`.execute(
      t.database.db,
    );
    expect(await logins.take('state-2')).toBeUndefined();
    expect(await logins.take('unknown')).toBeUndefined();
  });

  it('reads clients from the registry, not from the payload table', async () => {
    await sql`insert into oidc_client (client_id, name, metadata, profile)
      values ('dui_x', 'X', ${JSON.stringify({ client_id: 'dui_x', redirect_uris: ['https://x.fr/cb'] })}::jsonb, '{}'::jsonb)`.execute(
      t.database.db,
    );
    const clients = new (databaseAdapter(t.database))('Client');
    expect(await clients.find('dui_x')).toEqual({ client_id: 'dui_x', redirect_uris: ['https://x.fr/cb'] });
    expect(await clients.find('inconnu')).toBeUndefined();
  });
});
