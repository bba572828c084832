import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { frenchHelp, translateError } from './french-help.ts';

describe('French CLI help', () => {
  it('translates commander errors', () => {
    expect(translateError("error: unknown command 'serv'\n(Did you mean serve?)")).toBe(
      'erreur : commande inconnue « serv »\n(vouliez-vous dire serve ?)',
    );
    expect(translateError("error: missing required argument 'id'")).toBe(
      'erreur : argument obligatoire manquant « id »',
    );
  });

  it('writes help headings in French, in sub-commands too', () => {
    const program = new Command('outil').description('Un outil');
    program.command('db').description('Base').command('migrate').description('Migrer');
    frenchHelp(program);
    const help = program.helpInformation();
    expect(help).toContain('Utilisation :');
    expect(help).toContain('Commandes :');
    expect(help).toContain('afficher l’aide');
    expect(help).not.toMatch(/Usage:|display help/);
    const sub = program.commands[0]?.commands[0]?.helpInformation() ?? '';
    expect(sub).toContain('Options :');
  });
});
