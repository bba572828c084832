import type { Command } from 'commander';

const titles: Record<string, string> = {
  'Usage:': 'Utilisation :',
  'Options:': 'Options :',
  'Commands:': 'Commandes :',
  'Arguments:': 'Arguments :',
  'Global Options:': 'Options globales :',
};

const errors: Array<[RegExp, (...groups: string[]) => string]> = [
  [/^error: unknown command '(.*)'/, (c) => `erreur : commande inconnue « ${c} »`],
  [/^error: unknown option '(.*)'/, (o) => `erreur : option inconnue « ${o} »`],
  [/^error: missing required argument '(.*)'/, (a) => `erreur : argument obligatoire manquant « ${a} »`],
  [/^error: too many arguments.*/, () => 'erreur : trop d’arguments'],
  [/^error: option '(.*)' argument missing/, (o) => `erreur : l’option « ${o} » attend une valeur`],
  [
    /^error: required option '(.*)' not specified/,
    (o) => `erreur : l’option obligatoire « ${o} » est absente`,
  ],
  [
    /^error: option '(.*)' argument '(.*)' is invalid\. ?(.*)/,
    (o, v, why) => `erreur : valeur « ${v} » invalide pour « ${o} ». ${why}`,
  ],
  [/^error: (.*)/, (rest) => `erreur : ${rest}`],
];

export function translateError(message: string): string {
  let out = message;
  for (const [pattern, replace] of errors) {
    const match = pattern.exec(out);
    if (match) {
      out = out.replace(match[0], replace(...match.slice(1)));
      break;
    }
  }
  return out.replace(/\(Did you mean (.*)\?\)/, '(vouliez-vous dire $1 ?)');
}

/** Commander speaks English; this gives a command and all its sub-commands French help and errors. */
export function frenchHelp(command: Command): Command {
  command
    .helpOption('-h, --help', 'afficher l’aide')
    .configureHelp({ styleTitle: (title) => titles[title] ?? title, sortSubcommands: false })
    .configureOutput({ outputError: (message, write) => write(translateError(message)) })
    .showHelpAfterError('(ajoutez --help pour l’aide)');
  if (command.commands.length > 0)
    command.usage('[options] [commande]').helpCommand('help [commande]', 'afficher l’aide d’une commande');
  for (const sub of command.commands) frenchHelp(sub);
  return command;
}
