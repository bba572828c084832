import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { expect, it } from 'vitest';
import { createTestDatabase } from '../../test/databases.ts';
import { loadConfig } from '../config.ts';
import { buildAnnuaireEmulator } from '../sandbox/annuaire.ts';
import { generateDirectory } from './generate/generate.ts';
import { importDirectory } from './import/import.ts';
import { directoryCounts, lastImport } from './queries.ts';
import { scheduleDirectoryRefresh } from './schedule.ts';

it('schedules nothing without sources, and refreshes from them at the configured Paris time', async () => {
  const t = await createTestDatabase('pglite');
  try {
    const log = pino({ level: 'silent' });
    expect(scheduleDirectoryRefresh(t.database, loadConfig({}), log)).toBeNull();

    const out = mkdtempSync(join(tmpdir(), 'confiance-schedule-'));
    const [day] = await generateDirectory({
      profile: { persons: 100, structures: 10, departure: 0, arrival: 0, move: 0, closure: 0 },
      seed: 2,
      days: 1,
      out,
    });
    const config = loadConfig({ CONFIANCE_DIRECTORY_SOURCES: day?.dir ?? '', CONFIANCE_DATA_DIR: out });
    const job = scheduleDirectoryRefresh(t.database, config, log);
    try {
      const next = job?.nextRun(new Date('2026-07-01T00:00:00Z'));
      // 03:30 in Paris is 01:30 UTC in summer.
      expect(next?.toISOString()).toBe('2026-07-01T01:30:00.000Z');
      await job?.trigger();
      expect((await lastImport(t.database))?.sources.length).toBe(6);
      // The console's counts were worked out by the run: a later change no import made does not show in them.
      const counted = async () => (await directoryCounts(t.database)).byProfession;
      await sql`update dir_activity set active = false`.execute(t.database.db);
      expect((await counted()).length).toBeGreaterThan(0);
    } finally {
      job?.stop();
    }
  } finally {
    await t.drop();
  }
});

it('syncs from the configured national API at each run', async () => {
  const source = await createTestDatabase('pglite');
  const target = await createTestDatabase('pglite');
  const out = mkdtempSync(join(tmpdir(), 'confiance-schedule-api-'));
  const [day] = await generateDirectory({
    profile: { persons: 50, structures: 5, departure: 0, arrival: 0, move: 0, closure: 0 },
    seed: 4,
    days: 1,
    out,
  });
  await importDirectory(source.database, [day?.dir ?? '']);
  const emulator = await buildAnnuaireEmulator({
    database: source.database,
    apiKeys: ['k'],
    requestsPerSecond: null,
  });
  try {
    const address = await emulator.listen({ host: '127.0.0.1', port: 0 });
    const config = loadConfig({
      CONFIANCE_ANNUAIRE_API_URL: `${address}/fhir/v2`,
      CONFIANCE_ANNUAIRE_API_KEY: 'k',
      CONFIANCE_DATA_DIR: out,
    });
    const job = scheduleDirectoryRefresh(target.database, config, pino({ level: 'silent' }));
    try {
      await job?.trigger();
      const last = await lastImport(target.database);
      expect(last?.sources).toEqual([{ file: `${address}/fhir/v2`, stamp: 'full' }]);
      expect(last?.resources.professional?.active).toBe(50);
    } finally {
      job?.stop();
    }
  } finally {
    await emulator.close();
    await source.drop();
    await target.drop();
  }
});
