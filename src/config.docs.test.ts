import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { variables } from './config.ts';

it('documents every configuration variable in the README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  for (const v of variables) expect(readme).toContain(`| \`${v.name}\` | ${v.description} |`);
});
