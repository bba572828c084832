import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { buildApp } from '../src/app.ts';
import type { AppContext } from '../src/app-context.ts';
import { ChainMonitor } from '../src/audit/verify.ts';
import { createApiToken } from '../src/auth/api-token.ts';
import { loadConfig } from '../src/config.ts';
import { type Database, type DriverName, openDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { luhnKey } from '../src/directory/identifiers.ts';
import { addContract, addRole } from '../src/readiness/contracts.ts';
import { createOrganisation, getOrganisation } from '../src/readiness/organisations.ts';
import { importStaffCsv } from '../src/readiness/staff.ts';
import { parseStaffCsv } from '../src/readiness/staff-input.ts';
import { benchPostgres, type Figure, percentile, report, timed } from './lib.ts';

const { values } = parseArgs({
  options: {
    egs: { type: 'string', default: '50' },
    staff: { type: 'string', default: '5000' },
    runs: { type: 'string', default: '30' },
    postgres: {
      type: 'string',
      default: process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test',
    },
  },
});
const egCount = Number(values.egs);
const staffCount = Number(values.staff);
const runs = Number(values.runs);
const say = (text: string) => process.stdout.write(`${text}\n`);
const ej = '690000001';
const egs = Array.from({ length: egCount }, (_, i) => `69${String(1000 + i * 2).padStart(7, '0')}`);
const rpps = (n: number) => {
  const body = String(1_000_000_000 + n);
  return `8${body}${luhnKey(body)}`;
};
const functions = [
  'Aide-soignant',
  'Infirmier',
  'Accompagnant éducatif et social',
  'Psychologue',
  'Agent administratif',
  'Éducateur spécialisé',
];

/** The directory around the organisme: its EGs, 20 000 professionals elsewhere, a third of the staff listed. */
async function seedDirectory(database: Database) {
  for (const [i, eg] of egs.entries())
    await sql`insert into dir_structure (finess, finess_ej, raison_sociale, categorie_code, voie, code_postal,
        commune, telephone, siret, row_hash, created_import, changed_import, changed_at)
      values (${eg}, ${ej}, ${`EHPAD NUMERO ${i + 1}`}, '500', 'RUE DU BANC', '69003', 'LYON', '0478000000',
        ${`30000001${String(i).padStart(6, '0')}`}, 'x', 1, 1, now())`.execute(database.db);
  const rows: string[][] = [];
  for (let n = 0; n < 20_000 + staffCount; n++) {
    const atEg = n >= 20_000 && (n - 20_000) % 3 === 0;
    const staff = n - 20_000;
    rows.push([
      rpps(n),
      atEg ? `NOM${staff}` : `AUTRE${n}`,
      atEg ? `Prenom${staff}` : 'X',
      atEg ? (egs[staff % egCount] as string) : '750000001',
    ]);
  }
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    await sql`insert into dir_professional (id_nat, nom_exercice, prenom_exercice, row_hash, created_import, changed_import, changed_at)
      select x.id, x.nom, x.prenom, 'x', 1, 1, now() from unnest(${chunk.map((r) => r[0])}::text[], ${chunk.map((r) => r[1])}::text[], ${chunk.map((r) => r[2])}::text[]) as x(id, nom, prenom)`.execute(
      database.db,
    );
    await sql`insert into dir_activity (key, id_nat, nom_exercice, prenom_exercice, finess_site, row_hash, created_import, changed_import, changed_at)
      select x.id || '|a', x.id, x.nom, x.prenom, x.site, 'x', 1, 1, now() from unnest(${chunk.map((r) => r[0])}::text[], ${chunk.map((r) => r[1])}::text[], ${chunk.map((r) => r[2])}::text[], ${chunk.map((r) => r[3])}::text[]) as x(id, nom, prenom, site)`.execute(
      database.db,
    );
    await sql`insert into dir_mailbox (key, type, adresse, id_nat, row_hash, created_import, changed_import, changed_at)
      select x.id || '|m', 'PER', lower(x.nom) || '@banc.mssante.fr', x.id, 'x', 1, 1, now() from unnest(${chunk.filter((_, j) => (i + j) % 2 === 0).map((r) => r[0])}::text[], ${chunk.filter((_, j) => (i + j) % 2 === 0).map((r) => r[1])}::text[]) as x(id, nom)`.execute(
      database.db,
    );
  }
  await sql`analyze`.execute(database.db);
}

function staffFile(): string {
  const lines = ['matricule;nom;prénom;fonction;finess;date entrée;courriel;mobile;carte;e-cps;qualifie ins'];
  for (let s = 0; s < staffCount; s++) {
    const contacts = s % 4 !== 0;
    lines.push(
      [
        `M${s}`,
        `NOM${s}`,
        `Prenom${s}`,
        functions[s % functions.length],
        egs[s % egCount],
        '01/09/2020',
        contacts ? `agent${s}@exemple.fr` : '',
        contacts ? `06${String(10_000_000 + s).slice(-8)}` : '',
        s % 10 === 0 ? 'CPE' : '',
        s % 5 === 0 ? 'oui' : 'non',
        s % 10 === 0 ? 'oui' : 'non',
      ].join(';'),
    );
  }
  return lines.join('\n');
}

async function openFor(driver: DriverName): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (driver === 'pglite') {
    const database = await openDatabase({ pgliteDir: 'memory://' });
    return { database, drop: () => database.close() };
  }
  return benchPostgres(values.postgres as string);
}

const figures: Figure[] = [];
const file = staffFile();
const actor = { id: 'bench', means: 'banc' };

for (const driver of ['pglite', 'postgres'] as const) {
  say(`— ${driver} : ${egCount} établissements, ${staffCount} salariés`);
  const { database, drop } = await openFor(driver);
  try {
    await migrate(database);
    await seedDirectory(database);
    await createOrganisation(database, { finess: ej, raisonSociale: 'Organisme du banc' }, actor);
    const org = await getOrganisation(database, ej);
    await addContract(
      database,
      org,
      {
        level: 'EJ',
        finess: '',
        representantLegal: 'R',
        signedOn: '2025-01-10',
        cdeReceivedOn: '2025-01-30',
      },
      actor,
    );
    await addRole(
      database,
      org,
      {
        role: 'mandataire',
        finessEg: '',
        person: 'M',
        email: '',
        card: 'CPE',
        healthProfessional: false,
        editorStaff: false,
        declaredVia: 'mesHabilitations',
        declaredOn: '2025-02-01',
      },
      actor,
    );

    const parseOnly = await timed(async () => parseStaffCsv(file, new Set(egs)));
    const imported = await timed(() => importStaffCsv(database, org, file, actor));
    say(
      `  import : ${imported.seconds.toFixed(2)} s (${imported.result.matched} numéros trouvés) ; lecture seule ${parseOnly.seconds.toFixed(3)} s`,
    );
    figures.push({
      name: `import du fichier du personnel (${staffCount} lignes)`,
      driver,
      value: imported.seconds * 1000,
      unit: 'ms',
      baseline: { name: 'lecture et contrôle du fichier seuls', value: parseOnly.seconds * 1000 },
    });

    const ctx: AppContext = {
      config: loadConfig({ LOG_LEVEL: 'silent', CONFIANCE_DATA_DIR: '/tmp/confiance-bench' }),
      database,
      chain: new ChainMonitor(database),
      version: 'bench',
      startedAt: new Date(),
      sessionSecret: 'bench-session-secret-of-at-least-32-characters',
      insi: null,
    };
    const app = await buildApp(ctx);
    const { token } = await createApiToken(database, { name: 'banc', scopes: ['readiness:read'] });
    const signIn = await app.inject({
      method: 'POST',
      url: '/session',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `jeton=${token}`,
    });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] as string;
    const time = async (url: string) => {
      const samples: number[] = [];
      for (let i = 0; i < runs + 3; i++) {
        const started = performance.now();
        const res = await app.inject({ url, headers: { cookie } });
        if (res.statusCode !== 200) throw new Error(`${url} : ${res.statusCode}`);
        if (i >= 3) samples.push(performance.now() - started);
      }
      return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
    };
    const list = await time('/prerequis');
    const dashboard = await time(`/prerequis/${ej}`);
    const printable = await time(`/prerequis/${ej}/impression`);
    const staffPage = await time(`/prerequis/${ej}/personnel`);
    say(
      `  tableau de bord p50 ${dashboard.p50.toFixed(1)} ms, p95 ${dashboard.p95.toFixed(1)} ms (liste p95 ${list.p95.toFixed(1)} ms)`,
    );
    for (const [name, t] of [
      ['tableau de bord p95', dashboard],
      ['version imprimable p95', printable],
      ['registre du personnel p95', staffPage],
    ] as const)
      figures.push({
        name,
        driver,
        value: t.p95,
        unit: 'ms',
        baseline: { name: 'liste des organismes p95', value: list.p95 },
      });
    await app.close();
  } finally {
    await drop();
  }
}

report('readiness', figures, { egs: egCount, staff: staffCount, runs, target: 'tableau de bord < 300 ms' });
