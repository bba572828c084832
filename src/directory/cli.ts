import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import type { Config } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { generateDirectory } from './generate/generate.ts';
import { profiles } from './generate/population.ts';
import { type ImportReport, importDirectory } from './import/import.ts';
import { resources } from './import/resources.ts';
import type { StageProgress } from './import/stage.ts';
import { parseSources, refreshDirectory } from './refresh.ts';
import { type SyncReport, syncDirectory } from './sync/sync.ts';

type Say = (text: string) => void;
type WithDatabase = <T>(fn: (database: Database, config: Config) => Promise<T>) => Promise<T>;

const integer = (value: string) => {
  if (!/^\d+$/.test(value)) throw new Error(`entier attendu : ${value}`);
  return Number(value);
};

/**
 * Progress on a terminal is a bar (lines, MB/s, ETA); elsewhere (logs, CI) one line every few seconds.
 */
function progressReporter(say: Say): { update: (p: StageProgress) => void; stop: () => void } {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: '{file} |{bar}| {percentage} % · {lines} lignes · {speed} Mo/s · reste {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
    });
    let current = '';
    return {
      update(p) {
        if (p.file !== current) {
          if (current) bar.stop();
          current = p.file;
          bar.start(p.totalBytes || 1, 0, { file: p.file.split('/').at(-1), lines: 0, speed: '0' });
        }
        const seconds = Math.max((Date.now() - started) / 1000, 0.001);
        bar.update(p.bytes, {
          lines: p.lines.toLocaleString('fr-FR'),
          speed: (p.bytes / 1e6 / seconds).toFixed(1),
        });
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  return {
    update(p) {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      const share = p.totalBytes ? ` (${Math.round((100 * p.bytes) / p.totalBytes)} %)` : '';
      say(`import ${p.file} : ${p.lines} lignes${share}`);
    },
    stop() {},
  };
}

export function printReport(report: ImportReport, say: Say): void {
  say(report.message);
  for (const s of report.sources)
    say(
      `  ${s.file} : ${s.lines.toLocaleString('fr-FR')} lignes, ${s.unchanged > 0 ? `${s.unchanged.toLocaleString('fr-FR')} inchangées, ` : ''}${s.staged.toLocaleString('fr-FR')} retenues, ${s.rejected} rejetées (${s.encoding ?? '?'}, ${s.seconds.toLocaleString('fr-FR')} s)`,
    );
  for (const [name, r] of Object.entries(report.resources))
    say(
      `  ${resources[name as keyof typeof resources].label} : ${r.created} créés, ${r.changed} modifiés, ${r.deactivated} désactivés, ${r.active} actifs`,
    );
  if (report.rejectCount > 0) {
    say(
      `  Lignes rejetées (${report.rejectCount}${report.rejectCount > report.rejects.length ? `, ${report.rejects.length} affichées` : ''}) :`,
    );
    for (const r of report.rejects.slice(0, 50)) say(`    ${r.file}:${r.line} : ${r.reason}`);
  }
  const p = report.phases;
  say(
    `  Durée : ${report.seconds.toLocaleString('fr-FR')} s (chargement ${p.staging.toLocaleString('fr-FR')} s, contrôles ${p.checks.toLocaleString('fr-FR')} s, bascule ${p.merge.toLocaleString('fr-FR')} s)`,
  );
}

export function directoryCommand(withDatabase: WithDatabase, say: Say): Command {
  const directory = new Command('directory').description('Copie locale de l’Annuaire Santé et du FINESS.');

  directory
    .command('generate')
    .description('Écrire des extractions synthétiques aux formats publiés (un dossier par jour).')
    .addOption(new Option('--profile <profil>', 'volume').choices(Object.keys(profiles)).default('small'))
    .option('--seed <n>', 'graine (même graine, mêmes fichiers)', integer, 1)
    .option('--days <n>', 'nombre de jours successifs', integer, 1)
    .requiredOption('--out <dossier>', 'dossier de sortie')
    .action(async (options: { profile: keyof typeof profiles; seed: number; days: number; out: string }) => {
      const started = Date.now();
      const days = await generateDirectory({
        profile: options.profile,
        seed: options.seed,
        days: options.days,
        out: options.out,
      });
      for (const day of days) {
        say(`${day.dir} :`);
        for (const [file, lines] of Object.entries(day.lines))
          say(`  ${file} : ${lines.toLocaleString('fr-FR')} lignes`);
      }
      say(`Généré en ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    });

  directory
    .command('import')
    .description('Importer des extractions (ZIP, dossiers ou fichiers) ; code 1 si refusé ou en échec.')
    .argument(
      '<chemins...>',
      'archives PS_LibreAcces_*.zip, Extraction_Correspondance_MSSante_*.zip, fichiers FINESS, ou dossiers',
    )
    .option('--accept-mass-change', 'accepter une génération qui désactive plus que le seuil du garde-fou')
    .option(
      '--max-deactivation <pourcentage>',
      'seuil du garde-fou, en % des lignes actives',
      (v) => Number(v) / 100,
      0.15,
    )
    .option('--max-rejects <n>', 'lignes rejetées tolérées avant de refuser l’import', integer, 0)
    .action(
      (
        paths: string[],
        options: { acceptMassChange?: boolean; maxDeactivation: number; maxRejects: number },
      ) =>
        withDatabase(async (database) => {
          const progress = progressReporter(say);
          const report = await importDirectory(database, paths, {
            acceptMassChange: options.acceptMassChange ?? false,
            maxDeactivation: options.maxDeactivation,
            maxRejects: options.maxRejects,
            onProgress: progress.update,
          }).finally(progress.stop);
          printReport(report, say);
          if (report.status !== 'success') process.exitCode = 1;
        }),
    );
  directory
    .command('refresh')
    .description(
      'Vérifier les sources (CONFIANCE_DIRECTORY_SOURCES ou arguments), télécharger et importer ce qui est nouveau.',
    )
    .argument('[sources...]', 'URL de téléchargement ou dossiers')
    .option('--accept-mass-change', 'accepter une génération qui désactive plus que le seuil du garde-fou')
    .action((given: string[], options: { acceptMassChange?: boolean }) =>
      withDatabase(async (database, config) => {
        const sources = parseSources(given.length > 0 ? given.join(',') : config.directory.sources);
        if (sources.length === 0) {
          say('Aucune source : donnez des URL ou dossiers, ou renseignez CONFIANCE_DIRECTORY_SOURCES.');
          process.exitCode = 1;
          return;
        }
        const result = await refreshDirectory(database, sources, {
          downloadDir: join(config.dataDir, 'annuaire'),
          acceptMassChange: options.acceptMassChange ?? false,
        });
        if (!result.report) say('Rien de nouveau : les fichiers publiés sont déjà importés.');
        else {
          printReport(result.report, say);
          if (result.report.status !== 'success') process.exitCode = 1;
        }
      }),
    );
  directory
    .command('sync')
    .description(
      'Synchroniser l’annuaire depuis l’API FHIR de l’Annuaire Santé (CONFIANCE_ANNUAIRE_API_URL et _KEY) : complète la première fois, puis par delta.',
    )
    .option('--url <url>', 'base FHIR de l’API (remplace CONFIANCE_ANNUAIRE_API_URL)')
    .option('--full', 'recharger tout au lieu d’un delta')
    .option(
      '--accept-mass-change',
      'accepter une synchronisation qui désactive plus que le seuil du garde-fou',
    )
    .option(
      '--max-deactivation <pourcentage>',
      'seuil du garde-fou, en % des lignes actives',
      (v) => Number(v) / 100,
      0.15,
    )
    .action(
      (options: { url?: string; full?: boolean; acceptMassChange?: boolean; maxDeactivation: number }) =>
        withDatabase(async (database, config) => {
          const api = config.directory.api;
          const url = options.url ?? api?.url;
          const key = api?.key ?? process.env.CONFIANCE_ANNUAIRE_API_KEY;
          if (!url || !key) {
            say('Renseignez CONFIANCE_ANNUAIRE_API_URL (ou --url) et CONFIANCE_ANNUAIRE_API_KEY.');
            process.exitCode = 1;
            return;
          }
          let lastSaid = 0;
          const report = await syncDirectory(database, {
            baseUrl: url,
            apiKey: key,
            requestsPerSecond: api?.requestsPerSecond ?? 17,
            pageSize: api?.pageSize ?? 200,
            full: options.full ?? false,
            acceptMassChange: options.acceptMassChange ?? false,
            maxDeactivation: options.maxDeactivation,
            onPage: (p) => {
              if (Date.now() - lastSaid < 5000) return;
              lastSaid = Date.now();
              say(
                `synchronisation ${p.resource} : ${p.pages} pages, ${p.entries.toLocaleString('fr-FR')} ressources`,
              );
            },
          });
          printSyncReport(report, say);
          if (report.status !== 'success') process.exitCode = 1;
        }),
    );
  return directory;
}

export function printSyncReport(report: SyncReport, say: Say): void {
  say(report.message);
  say(
    `  ${report.mode === 'delta' ? `Delta depuis ${report.since}` : 'Chargement complet'}${report.resumed ? ' (reprise)' : ''} : ${report.pages} pages, ${report.entries.toLocaleString('fr-FR')} ressources, ${report.requests} requêtes (${report.retries} reprises dont ${report.throttled} pour limite de débit).`,
  );
  if (report.unresolved > 0)
    say(`  ${report.unresolved} situation(s) d’exercice ignorée(s) : professionnel inconnu de l’API.`);
  if (report.orphanServices > 0)
    say(`  ${report.orphanServices} équipement(s) social(aux) ignoré(s) : établissement inconnu de l’API.`);
  for (const [name, r] of Object.entries(report.resources))
    say(
      `  ${resources[name as keyof typeof resources].label} : ${r.created} créés, ${r.changed} modifiés, ${r.deactivated} désactivés, ${r.active} actifs`,
    );
  const p = report.phases;
  say(
    `  Durée : ${report.seconds.toLocaleString('fr-FR')} s (téléchargement ${p.download.toLocaleString('fr-FR')} s, préparation ${p.staging.toLocaleString('fr-FR')} s, contrôles ${p.checks.toLocaleString('fr-FR')} s, bascule ${p.merge.toLocaleString('fr-FR')} s)`,
  );
}
