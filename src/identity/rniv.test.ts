import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IdentityEvent, type IdentityState, initialState, mayShareIns, transition } from './rniv.ts';

const at = '2026-11-24T10:00:00Z';
const doc: IdentityEvent = { type: 'document-checked', mode: 'CN', by: '810000000009', at };
const insi: IdentityEvent = { type: 'insi-retrieved', at, method: 'INSI', traitsMatch: true };
const run = (events: IdentityEvent[], from = initialState()) =>
  events.reduce<IdentityState>((s, e) => transition(s, e).state, from);

describe('RNIV statuses', () => {
  it.each([
    [[], 'PROV'],
    [[doc], 'VALI'],
    [[insi], 'RECUP'],
    [[doc, insi], 'QUAL'],
    [[insi, doc], 'QUAL'],
    [[{ type: 'appli-carte-vitale', at, by: '810000000009' }], 'QUAL'],
    [[doc, insi, { type: 'attribute-set', attribute: 'DOUT' }], 'RECUP'],
    [[doc, { type: 'attribute-set', attribute: 'FICT' }], 'PROV'],
    [[doc, insi, { type: 'attribute-set', attribute: 'HOMA' }], 'QUAL'],
    [
      [
        doc,
        insi,
        { type: 'attribute-set', attribute: 'DOUT' },
        { type: 'attribute-cleared', attribute: 'DOUT' },
      ],
      'RECUP',
    ],
    [[doc, insi, { type: 'document-withdrawn' }], 'RECUP'],
  ] as Array<[IdentityEvent[], string]>)('%j gives %s', (events, status) => {
    expect(run(events).status).toBe(status);
  });

  it('refuses, with its reason, what the RNIV forbids, and leaves the state as it was', () => {
    const doubtful = run([{ type: 'attribute-set', attribute: 'DOUT' }]);
    const refused = transition(doubtful, doc);
    expect(refused).toMatchObject({ ok: false, state: doubtful });
    expect(refused.reason).toMatch(/identité douteuse/);
    const mismatch = transition(initialState(), { ...insi, traitsMatch: false } as IdentityEvent);
    expect(mismatch).toMatchObject({ ok: false, state: { status: 'PROV' } });
    expect(mismatch.reason).toMatch(/diffèrent/);
    expect(transition(initialState(), { ...doc, mode: 'AV' } as IdentityEvent).ok).toBe(false);
  });

  it('records who checked which document, and the collection method', () => {
    const s = run([doc, insi]);
    expect(s.document).toEqual({ mode: 'CN', checkedBy: '810000000009', checkedAt: at });
    expect(s.method).toBe('INSI');
    expect(mayShareIns(s)).toBe(true);
    expect(mayShareIns(run([doc]))).toBe(false);
  });

  it('keeps its invariants whatever the sequence of events', () => {
    const event = fc.oneof(
      fc.constant(doc),
      fc.constant(insi),
      fc.constant<IdentityEvent>({ ...insi, traitsMatch: false } as IdentityEvent),
      fc.constant<IdentityEvent>({ type: 'appli-carte-vitale', at, by: 'x' }),
      fc.constant<IdentityEvent>({ type: 'document-withdrawn' }),
      fc
        .constantFrom('DOUT', 'FICT', 'HOMA')
        .map((attribute) => ({ type: 'attribute-set', attribute }) as IdentityEvent),
      fc
        .constantFrom('DOUT', 'FICT', 'HOMA')
        .map((attribute) => ({ type: 'attribute-cleared', attribute }) as IdentityEvent),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), (events) => {
        let s = initialState();
        for (const e of events) {
          const t = transition(s, e);
          if (!t.ok) expect(t.state).toBe(s);
          s = t.state;
          const doubtful = s.attributes.includes('DOUT') || s.attributes.includes('FICT');
          if (doubtful) expect(['PROV', 'RECUP']).toContain(s.status);
          expect(s.status === 'QUAL' || s.status === 'RECUP').toBe(s.insiAt !== null);
          if (s.status === 'QUAL' || s.status === 'VALI') expect(s.document).not.toBeNull();
        }
      }),
    );
  });
});
