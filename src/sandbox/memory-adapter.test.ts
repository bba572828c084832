import { expect, it } from 'vitest';
import { memoryAdapter } from './memory-adapter.ts';

it('stores, finds by id, uid and user code, consumes, expires and revokes by grant', async () => {
  const Adapter = memoryAdapter();
  const codes = new Adapter('AuthorizationCode');
  const sessions = new Adapter('Session');
  await codes.upsert('c1', { uid: 'u1', grantId: 'g1' }, 60);
  await codes.upsert('c2', { userCode: 'ABCD', grantId: 'g2' }, 60);
  await sessions.upsert('c1', { uid: 'other' }, 60);
  expect(await codes.find('c1')).toEqual({ uid: 'u1', grantId: 'g1' });
  expect(await codes.findByUid('u1')).toEqual({ uid: 'u1', grantId: 'g1' });
  expect(await codes.findByUserCode('ABCD')).toMatchObject({ grantId: 'g2' });
  await codes.consume('c1');
  expect((await codes.find('c1'))?.consumed).toBeGreaterThan(0);
  await codes.revokeByGrantId('g1');
  expect(await codes.find('c1')).toBeUndefined();
  expect(await sessions.find('c1')).toEqual({ uid: 'other' });
  await codes.upsert('short', {}, -1);
  expect(await codes.find('short')).toBeUndefined();
  await codes.destroy('c2');
  expect(await codes.find('c2')).toBeUndefined();
});
