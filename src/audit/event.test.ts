import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AuditEventInput, canonicalJson, eventHash, genesisHash, prepareEvent } from './event.ts';
import { checkEvents } from './verify.ts';

const base: AuditEventInput = {
  action: 'console.login',
  outcome: 'success',
  actor: { kind: 'professional', id: '810001234567' },
  structureFiness: '750000001',
  mie: { means: 'e-CPS', level: 'eidas2' },
  subject: { type: 'session', id: 's-1' },
};

describe('prepareEvent', () => {
  it('accepts a complete event and canonicalises its details', () => {
    const e = prepareEvent({ ...base, details: { b: 1, a: { d: [2, 1], c: 'x' } } });
    expect(e.detailsJson).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
    expect(e.mie).toBe('e-CPS');
  });

  it.each([
    [{ action: 'Console Login' }, /Action d’audit invalide/],
    [{ outcome: 'ok' }, /Résultat invalide/],
    [{ actor: { kind: 'robot', id: 'x' } }, /Type d’acteur invalide/],
    [{ actor: { kind: 'professional' } }, /doit être identifié/],
    [{ structureFiness: '75000001' }, /FINESS invalide/],
    [{ details: { nomNaissance: 'DUPONT' } }, /Clé interdite/],
    [{ details: { usager: { nir: '1' } } }, /details\.usager\.nir/],
    [{ details: { x: Number.NaN } }, /non fini/],
    [{ details: { x: 'a'.repeat(9000) } }, /trop volumineux/],
    [{ subject: { type: '', id: 'x' } }, /type de sujet/],
  ])('refuses %o', (patch, message) => {
    expect(() => prepareEvent({ ...base, ...(patch as Partial<AuditEventInput>) })).toThrow(message);
  });

  it('accepts null, booleans and nested lists in details', () => {
    expect(prepareEvent({ ...base, details: { a: null, b: [true, { c: null }] } }).detailsJson).toBe(
      '{"a":null,"b":[true,{"c":null}]}',
    );
  });

  it('lets the system act without an id', () => {
    expect(
      prepareEvent({ action: 'db.migrate', outcome: 'success', actor: { kind: 'system' } }).actorId,
    ).toBeNull();
  });
});

describe('canonicalJson', () => {
  it('is independent of key order at every depth', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(canonicalJson(JSON.parse(canonicalJson(obj)))).toBe(canonicalJson(obj));
      }),
    );
  });
});

describe('checkEvents', () => {
  const at = new Date('2026-01-01T00:00:00.000Z');
  const chain = (n: number) => {
    let prevHash = genesisHash;
    return Array.from({ length: n }, (_, i) => {
      const prepared = prepareEvent({ ...base, details: { i } });
      const hash = eventHash(i + 1, at, prepared, prevHash);
      const event = {
        seq: i + 1,
        occurredAt: at,
        action: prepared.action,
        outcome: prepared.outcome,
        actorKind: prepared.actorKind,
        actorId: prepared.actorId,
        structureFiness: prepared.structureFiness,
        mie: prepared.mie,
        mieLevel: prepared.mieLevel,
        subjectType: prepared.subjectType,
        subjectId: prepared.subjectId,
        requestId: prepared.requestId,
        details: { i },
        prevHash,
        hash,
      };
      prevHash = hash;
      return event;
    });
  };
  const origin = { seq: 0, hash: genesisHash };

  it('accepts an intact chain', () => {
    const events = chain(5);
    expect(checkEvents(events, origin)).toEqual({
      upTo: { seq: 5, hash: events[4]?.hash },
      firstBreak: null,
    });
  });

  it('names an altered event', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, details: { i: 99 } };
    expect(checkEvents(events, origin).firstBreak).toMatchObject({ seq: 3, kind: 'altered' });
  });

  it('names a removed event as a gap', () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(checkEvents(events, origin).firstBreak).toMatchObject({ seq: 2, kind: 'gap' });
  });

  it('names a re-hashed event by its broken link to the next one', () => {
    const events = chain(4);
    const forged = { ...events[1]!, details: { i: 42 } };
    forged.hash = eventHash(2, at, prepareEvent({ ...base, details: { i: 42 } }), forged.prevHash);
    events[1] = forged;
    expect(checkEvents(events, origin).firstBreak).toMatchObject({ seq: 3, kind: 'link' });
  });
});
