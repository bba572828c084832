import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * The emulators' state lives in memory: a restart of the sandbox forgets its sessions, as intended. Lookups by
 * uid, user code and grant go through indexes, so that a long benchmark does not slow the emulator down.
 */
export function memoryAdapter() {
  const store = new Map<string, { model: string; payload: AdapterPayload; expiresAt: number }>();
  let writes = 0;
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const byGrant = new Map<string, Set<string>>();

  const remove = (key: string) => {
    const e = store.get(key);
    if (!e) return;
    store.delete(key);
    if (e.payload.uid && byUid.get(`${key.split(':')[0]}:${e.payload.uid}`) === key)
      byUid.delete(`${key.split(':')[0]}:${e.payload.uid}`);
    if (e.payload.userCode) byUserCode.delete(`${key.split(':')[0]}:${e.payload.userCode}`);
    if (e.payload.grantId) byGrant.get(e.payload.grantId)?.delete(key);
  };
  const alive = (key: string | undefined) => {
    if (!key) return undefined;
    const e = store.get(key);
    if (e && e.expiresAt < Date.now()) remove(key);
    return store.get(key)?.payload;
  };

  return class MemoryAdapter implements Adapter {
    constructor(readonly model: string) {}
    key = (id: string) => `${this.model}:${id}`;
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const key = this.key(id);
      remove(key);
      // Now and then, what has expired goes, so that a long-running sandbox keeps a bounded memory.
      if (++writes % 1000 === 0) for (const [k, e] of store) if (e.expiresAt < Date.now()) remove(k);
      store.set(key, { model: this.model, payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
      if (payload.uid) byUid.set(`${this.model}:${payload.uid}`, key);
      if (payload.userCode) byUserCode.set(`${this.model}:${payload.userCode}`, key);
      if (payload.grantId) byGrant.set(payload.grantId, (byGrant.get(payload.grantId) ?? new Set()).add(key));
    }
    async find(id: string) {
      return alive(this.key(id));
    }
    async findByUid(uid: string) {
      return alive(byUid.get(`${this.model}:${uid}`));
    }
    async findByUserCode(code: string) {
      return alive(byUserCode.get(`${this.model}:${code}`));
    }
    async consume(id: string) {
      const e = store.get(this.key(id));
      if (e) e.payload = { ...e.payload, consumed: Math.floor(Date.now() / 1000) };
    }
    async destroy(id: string) {
      remove(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of byGrant.get(grantId) ?? []) remove(key);
      byGrant.delete(grantId);
    }
  };
}
