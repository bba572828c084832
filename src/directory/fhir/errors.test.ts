import { expect, it } from 'vitest';
import { FhirError, operationOutcome } from './errors.ts';

it('names the offending parameter in the OperationOutcome', () => {
  expect(operationOutcome(new FhirError(400, 'invalid', 'Valeur vide.', 'name'))).toEqual({
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'invalid', diagnostics: 'Valeur vide.', expression: ['name'] }],
  });
  expect(operationOutcome(new FhirError(500, 'exception', 'Erreur')).issue[0]).toEqual({
    severity: 'fatal',
    code: 'exception',
    diagnostics: 'Erreur',
  });
});
