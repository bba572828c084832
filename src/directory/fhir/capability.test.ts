import { expect, it } from 'vitest';
import { capabilityStatement } from './capability.ts';
import { includes, resourceTypes, searchParameters } from './params.ts';

it('states exactly the parameters and includes the parser accepts', () => {
  const cs = capabilityStatement('https://x/fhir', '1') as {
    rest: Array<{ resource: Array<Record<string, any>> }>;
  };
  const resources = cs.rest[0]?.resource ?? [];
  expect(resources.map((r) => r.type)).toEqual([...resourceTypes]);
  for (const r of resources) {
    expect(r.searchParam.map((p: { name: string }) => p.name)).toEqual(
      Object.keys(searchParameters[r.type as 'Practitioner']),
    );
    expect(r.searchInclude).toEqual(includes[r.type as 'Practitioner'].include);
  }
});
