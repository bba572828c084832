import { sql } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Database } from '../../db/connect.ts';
import { clientMetadata } from './clients.ts';

/**
 * oidc-provider's storage on PGlite or PostgreSQL: one row per model and id, expiry kept in a column so that a
 * scheduled purge (and every read) ignores what has expired. Clients are not stored here but in `oidc_client`,
 * where the console and the CLI register them with their service profile.
 */
export function databaseAdapter(database: Database) {
  return class DatabaseAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      await sql`insert into oidc_payload (model, id, payload, grant_id, user_code, uid, expires_at)
        values (${this.model}, ${id}, ${JSON.stringify(payload)}::jsonb, ${payload.grantId ?? null},
          ${payload.userCode ?? null}, ${payload.uid ?? null}, ${expiresAt})
        on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
          user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`.execute(
        database.db,
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client')
        return ((await clientMetadata(database, id)) as AdapterPayload | null) ?? undefined;
      return this.findBy(sql`id = ${id}`);
    }

    findByUserCode(userCode: string) {
      return this.findBy(sql`user_code = ${userCode}`);
    }

    findByUid(uid: string) {
      return this.findBy(sql`uid = ${uid}`);
    }

    private async findBy(condition: ReturnType<typeof sql>): Promise<AdapterPayload | undefined> {
      const r = await sql<{ payload: AdapterPayload; consumed_at: Date | null }>`select payload, consumed_at
        from oidc_payload where model = ${this.model} and ${condition}
          and (expires_at is null or expires_at > now())`.execute(database.db);
      const row = r.rows[0];
      if (!row) return undefined;
      return row.consumed_at
        ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) }
        : row.payload;
    }

    /**
     * Marks an unexpired, unconsumed entry consumed and returns it, in one statement: of two requests racing with
     * the same id, only one gets it (a `state` returned twice by the browser, or replayed).
     */
    async take(id: string): Promise<AdapterPayload | undefined> {
      const r = await sql<{ payload: AdapterPayload }>`update oidc_payload set consumed_at = now()
        where model = ${this.model} and id = ${id} and consumed_at is null
          and (expires_at is null or expires_at > now())
        returning payload`.execute(database.db);
      return r.rows[0]?.payload;
    }

    async consume(id: string): Promise<void> {
      await sql`update oidc_payload set consumed_at = now() where model = ${this.model} and id = ${id}`.execute(
        database.db,
      );
    }

    async destroy(id: string): Promise<void> {
      await sql`delete from oidc_payload where model = ${this.model} and id = ${id}`.execute(database.db);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await sql`delete from oidc_payload where grant_id = ${grantId}`.execute(database.db);
    }
  };
}

/** Removes what has expired; run on a schedule. */
export async function purgeExpired(database: Database): Promise<number> {
  const r = await sql`delete from oidc_payload where expires_at < now()`.execute(database.db);
  return Number(r.numAffectedRows ?? 0);
}
