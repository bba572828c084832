import { describe, expect, it } from 'vitest';
import { describeViolation, HttpProblem, toProblem } from './problem.ts';

describe('toProblem', () => {
  it('passes deliberate problems through', () => {
    const p = toProblem(new HttpProblem(409, 'Conflit', 'Déjà là', { id: 'x' }), 'r1', '/a');
    expect(p).toEqual({
      type: 'about:blank',
      title: 'Conflit',
      status: 409,
      detail: 'Déjà là',
      requestId: 'r1',
      instance: '/a',
      id: 'x',
    });
  });

  it('names every invalid parameter in French', () => {
    const error = Object.assign(new Error('querystring/limit must be <= 500'), {
      validation: [
        { instancePath: '/limit', keyword: 'maximum', params: { limit: 500 } },
        { instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'foo' } },
      ],
      validationContext: 'querystring',
    });
    const p = toProblem(error, 'r', '/x');
    expect(p.status).toBe(400);
    expect(p.invalidParams).toEqual([
      { name: 'limit', in: 'query', reason: 'doit être ≤ 500' },
      { name: 'foo', in: 'query', reason: 'n’est pas un paramètre reconnu' },
    ]);
    expect(p.detail).toBe(
      '« limit » (query) doit être ≤ 500 ; « foo » (query) n’est pas un paramètre reconnu',
    );
  });

  it.each([
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415],
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400],
  ])('maps %s to %i', (code, status) => {
    expect(toProblem(Object.assign(new Error('x'), { code, statusCode: status }), 'r', '/').status).toBe(
      status,
    );
  });

  it('never leaks the message of an unexpected error', () => {
    const p = toProblem(new Error('password=hunter2 at db.ts:12'), 'r', '/');
    expect(p.status).toBe(500);
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });
});

describe('describeViolation', () => {
  it.each([
    [{ instancePath: '', keyword: 'required', params: { missingProperty: 'nom' } }, 'nom', 'est obligatoire'],
    [
      { instancePath: '/since', keyword: 'format', params: { format: 'date-time' } },
      'since',
      'doit être au format date et heure ISO 8601 (2026-01-31T08:00:00Z)',
    ],
    [{ instancePath: '/a/b', keyword: 'type', params: { type: 'integer' } }, 'a.b', 'doit être un entier'],
    [{ instancePath: '/o', keyword: 'enum', params: { allowedValues: ['x', 'y'] } }, 'o', 'doit valoir x, y'],
    [
      { instancePath: '/f', keyword: 'pattern', params: { pattern: '^a$' } },
      'f',
      'n’a pas la forme attendue',
    ],
  ])('%o', (error, name, reason) => {
    expect(describeViolation(error, 'querystring')).toEqual({ name, in: 'query', reason });
  });
});
