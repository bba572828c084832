import type { Adapter, AdapterPayload } from 'oidc-provider';

/** The emulators' state lives in memory: a restart of the sandbox forgets its sessions, as intended. */
export function memoryAdapter() {
  const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const alive = (key: string) => {
    const e = store.get(key);
    if (e && e.expiresAt < Date.now()) store.delete(key);
    return store.get(key)?.payload;
  };
  return class MemoryAdapter implements Adapter {
    constructor(readonly model: string) {}
    key = (id: string) => `${this.model}:${id}`;
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      store.set(this.key(id), { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
    }
    async find(id: string) {
      return alive(this.key(id));
    }
    async findByUid(uid: string) {
      for (const [k, e] of store)
        if (k.startsWith(`${this.model}:`) && e.payload.uid === uid) return alive(k);
      return undefined;
    }
    async findByUserCode(code: string) {
      for (const [k, e] of store)
        if (k.startsWith(`${this.model}:`) && e.payload.userCode === code) return alive(k);
      return undefined;
    }
    async consume(id: string) {
      const e = store.get(this.key(id));
      if (e) e.payload = { ...e.payload, consumed: Math.floor(Date.now() / 1000) };
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, e] of store) if (e.payload.grantId === grantId) store.delete(k);
    }
  };
}
