import { describe, expect, it } from 'vitest';
import { type EgDashboard, nextActions } from './dashboard.ts';
import type { ServiceReadiness, Step } from './engine.ts';

const step = (id: string, extra: Partial<Step> = {}): Step => ({
  id,
  label: id,
  who: 'Direction',
  via: 'Structure',
  ...extra,
});
const eg = (finess: string, services: Array<Pick<ServiceReadiness, 'service' | 'missing'>>): EgDashboard =>
  ({
    establishment: { finess },
    readiness: { services: services.map((s) => ({ ...s, status: 'en-cours', blockedBy: null })) },
  }) as unknown as EgDashboard;

describe('next actions across establishments', () => {
  it('lists each step once with its EGs and services: blocking first, journey order, renewals last', () => {
    const actions = nextActions([
      eg('1', [
        { service: 'qualifier-ins', missing: [step('renouveler', { ahead: true }), step('charte')] },
        { service: 'alimenter-dmp', missing: [step('charte'), step('documents')] },
      ]),
      eg('2', [{ service: 'qualifier-ins', missing: [step('mandataire'), step('finess'), step('charte')] }]),
    ]);
    expect(actions.map((a) => [a.step.id, a.establishments, a.services])).toEqual([
      ['finess', ['2'], ['qualifier-ins']],
      ['charte', ['1', '2'], ['qualifier-ins', 'alimenter-dmp']],
      ['mandataire', ['2'], ['qualifier-ins']],
      ['documents', ['1'], ['alimenter-dmp']],
      ['renouveler', ['1'], ['qualifier-ins']],
    ]);
  });
});
