/** An error answered as an OperationOutcome; `parameter` names the offending search parameter when there is one. */
export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly code:
      | 'invalid'
      | 'not-supported'
      | 'not-found'
      | 'processing'
      | 'throttled'
      | 'security'
      | 'exception',
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'FhirError';
  }
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  issue: Array<{
    severity: 'error' | 'fatal' | 'warning' | 'information';
    code: string;
    diagnostics: string;
    expression?: string[];
  }>;
}

export function operationOutcome(error: FhirError): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: error.status >= 500 ? 'fatal' : 'error',
        code: error.code,
        diagnostics: error.message,
        ...(error.parameter && { expression: [error.parameter] }),
      },
    ],
  };
}
