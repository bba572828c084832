import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { variables } from './config.ts';

it('documents every configuration variable in the README', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const rows = readme
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').map((cell) => cell.trim()));
  for (const v of variables)
    expect(rows).toContainEqual(expect.arrayContaining([`\`${v.name}\``, v.description]));
});
