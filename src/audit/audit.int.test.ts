import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachDriver, type TestDatabase } from '../../test/databases.ts';
import { appendEvent, appendEvents } from './append.ts';
import type { AuditEventInput } from './event.ts';
import { listEvents } from './query.ts';
import { ChainMonitor, verifyChain } from './verify.ts';

const run = promisify(execFile);

const event = (i: number, patch: Partial<AuditEventInput> = {}): AuditEventInput => ({
  action: i % 2 ? 'directory.import' : 'console.login',
  outcome: 'success',
  actor: { kind: 'professional', id: `8100000000${String(i % 7).padStart(2, '0')}` },
  structureFiness: i % 3 ? '750000001' : '2A0000019',
  mie: { means: 'e-CPS', level: 'eidas2' },
  subject: { type: 'usager', id: `u-${i % 5}` },
  details: { i },
  ...patch,
});

/** What an attacker with database access would do: bypass the append-only trigger. */
async function tamper(t: TestDatabase, statement: string) {
  await sql
    .raw(`alter table audit_event disable trigger audit_event_no_update;
    ${statement};
    alter table audit_event enable trigger audit_event_no_update`)
    .execute(t.database.db);
}

describeEachDriver('audit trail', (driver) => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase(driver);
  });
  afterEach(() => t.drop());

  it('appends 10 000 events in one chain and verifies them', async () => {
    for (let batch = 0; batch < 20; batch++) {
      await appendEvents(
        t.database,
        Array.from({ length: 500 }, (_, i) => event(batch * 500 + i)),
      );
    }
    const result = await verifyChain(t.database, { pageSize: 3000 });
    expect(result).toMatchObject({ checked: 10_000, verifiedUpTo: { seq: 10_000 }, firstBreak: null });
  });

  it('names exactly the one event tampered with', async () => {
    await appendEvents(
      t.database,
      Array.from({ length: 50 }, (_, i) => event(i)),
    );
    await tamper(t, `update audit_event set details = '{"i": 999}' where seq = 37`);
    const result = await verifyChain(t.database, { pageSize: 10 });
    expect(result.firstBreak).toMatchObject({ seq: 37, kind: 'altered' });
    expect(result.verifiedUpTo.seq).toBe(36);
  });

  it('detects a deleted event', async () => {
    await appendEvents(
      t.database,
      Array.from({ length: 10 }, (_, i) => event(i)),
    );
    await tamper(t, 'delete from audit_event where seq = 4');
    expect((await verifyChain(t.database)).firstBreak).toMatchObject({ seq: 4, kind: 'gap' });
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    await appendEvent(t.database, event(1));
    for (const statement of [
      'update audit_event set outcome = $$failure$$',
      'delete from audit_event',
      'truncate audit_event',
    ]) {
      await expect(sql.raw(statement).execute(t.database.db)).rejects.toThrow(/ajout seul/);
    }
    expect((await verifyChain(t.database)).checked).toBe(1);
  });

  it('keeps one chain under concurrent appends in this process, each caller getting its own events', async () => {
    const stored = await Promise.all(
      Array.from({ length: 40 }, (_, i) => appendEvents(t.database, [event(i), event(i + 100)])),
    );
    expect(stored.map((events) => events.map((e) => e.details.i))).toEqual(
      Array.from({ length: 40 }, (_, i) => [i, i + 100]),
    );
    // Each caller's events are consecutive in the chain, in the order the calls were made.
    expect(stored.flat().map((e) => e.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(await verifyChain(t.database)).toMatchObject({ checked: 80, firstBreak: null });
  });

  it('group-commits concurrent appends, and one failing append does not fail the others', async () => {
    await sql
      .raw(`create function refuse_poison() returns trigger language plpgsql as $$
        begin if new.action = 'test.poison' then raise exception 'poison'; end if; return new; end $$;
        create trigger audit_poison before insert on audit_event for each row execute function refuse_poison()`)
      .execute(t.database.db);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        appendEvent(t.database, i === 5 ? event(i, { action: 'test.poison' }) : event(i)),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(
      Array.from({ length: 12 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')),
    );
    expect(await verifyChain(t.database)).toMatchObject({ checked: 11, firstBreak: null });
    await appendEvent(t.database, event(99));
    expect((await verifyChain(t.database)).checked).toBe(12);
  });

  it('monitors only what was appended since its last look, and stays broken once broken', async () => {
    const monitor = new ChainMonitor(t.database);
    await appendEvents(t.database, [event(1), event(2)]);
    expect(await monitor.refresh()).toMatchObject({ status: 'intact', verifiedUpTo: { seq: 2 } });
    await appendEvent(t.database, event(3));
    expect(await monitor.refresh()).toMatchObject({ status: 'intact', verifiedUpTo: { seq: 3 } });
    await appendEvent(t.database, event(4));
    await tamper(t, `update audit_event set action = 'console.logout' where seq = 4`);
    expect(await monitor.refresh()).toMatchObject({ status: 'broken', firstBreak: { seq: 4 } });
    await appendEvent(t.database, event(5));
    expect((await monitor.refresh()).status).toBe('broken');
  });

  it('filters by actor, structure, subject, action and period, newest first, with a cursor', async () => {
    await appendEvents(
      t.database,
      Array.from({ length: 30 }, (_, i) => event(i)),
    );
    const all = await listEvents(t.database, {}, { limit: 100 });
    expect(all.events.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(all.next).toBeNull();

    const byActor = await listEvents(t.database, { actorId: '810000000003' }, { limit: 100 });
    expect(byActor.events.every((e) => e.actorId === '810000000003')).toBe(true);
    expect(byActor.events).toHaveLength(4);

    const byStructureAndAction = await listEvents(
      t.database,
      { structureFiness: '2A0000019', action: 'console.*' },
      { limit: 100 },
    );
    expect(byStructureAndAction.events.map((e) => e.details.i)).toEqual([24, 18, 12, 6, 0]);
    const bySubject = await listEvents(
      t.database,
      { subjectType: 'usager', subjectId: 'u-1', action: 'directory.import' },
      { limit: 100 },
    );
    expect(bySubject.events.map((e) => e.details.i)).toEqual([21, 11, 1]);

    const pages: number[][] = [];
    let cursor: string | undefined;
    do {
      const page = await listEvents(
        t.database,
        { action: 'directory.import' },
        { limit: 4, ...(cursor ? { cursor } : {}) },
      );
      pages.push(page.events.map((e) => e.seq));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(pages.flat()).toEqual(Array.from({ length: 15 }, (_, i) => 30 - 2 * i));
    expect(pages).toHaveLength(4);

    const future = new Date(Date.now() + 60_000);
    expect((await listEvents(t.database, { since: future }, { limit: 10 })).events).toEqual([]);
    expect((await listEvents(t.database, { until: future }, { limit: 10 })).events).toHaveLength(10);
  });

  if (driver === 'postgres') {
    it('keeps one chain when two processes write at the same time', async () => {
      const writer = fileURLToPath(new URL('../../test/audit-writer.ts', import.meta.url));
      // Both start at the same instant, once their runtimes are loaded.
      const startAt = String(Date.now() + 4000);
      const spawn = (name: string) =>
        run(process.execPath, ['--import', 'tsx', writer, t.url ?? '', name, '200', startAt]);
      await Promise.all([spawn('a'), spawn('b')]);
      expect(await verifyChain(t.database)).toMatchObject({ checked: 400, firstBreak: null });
      const writers = await listEvents(t.database, { actorId: 'writer-a' }, { limit: 1000 });
      expect(writers.events).toHaveLength(200);
      // Interleaving proves the two really ran concurrently rather than one after the other.
      const seqs = writers.events.map((e) => e.seq).sort((a, b) => a - b);
      expect(seqs.at(-1)! - seqs[0]!).toBeGreaterThan(200);
    });
  }
});
