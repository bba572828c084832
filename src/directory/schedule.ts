import { join } from 'node:path';
import { Cron } from 'croner';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { directoryCounts } from './queries.ts';
import { parseSources, type RefreshSource, refreshDirectory } from './refresh.ts';
import { syncDirectory } from './sync/sync.ts';

/**
 * The nightly update of the directory: files from the configured sources, then the national API when one is
 * configured. Runs never overlap in a process, and the import's advisory lock keeps instances sharing a
 * PostgreSQL from importing or syncing at the same time.
 */
export function scheduleDirectoryRefresh(
  database: Database,
  config: Config,
  log: FastifyBaseLogger,
): Cron | null {
  const sources = parseSources(config.directory.sources);
  const api = config.directory.api;
  if (sources.length === 0 && !api) return null;
  return new Cron(config.directory.schedule, { timezone: 'Europe/Paris', protect: true }, async () => {
    if (sources.length > 0) await refreshFiles(database, config, sources, log);
    if (api) {
      try {
        const report = await syncDirectory(database, {
          baseUrl: api.url,
          apiKey: api.key,
          requestsPerSecond: api.requestsPerSecond,
          pageSize: api.pageSize,
        });
        log.info(
          { status: report.status, mode: report.mode, pages: report.pages, seconds: report.seconds },
          'directory sync',
        );
      } catch (error) {
        log.error({ err: error }, 'directory sync failed');
      }
    }
    // The console's counts of the new generation, worked out now rather than on the first view after the night.
    await directoryCounts(database).catch((error) => log.warn({ err: error }, 'directory counts failed'));
  });
}

async function refreshFiles(
  database: Database,
  config: Config,
  sources: RefreshSource[],
  log: FastifyBaseLogger,
): Promise<void> {
  try {
    const result = await refreshDirectory(database, sources, {
      downloadDir: join(config.dataDir, 'annuaire'),
    });
    if (!result.report) log.info('directory refresh: nothing new');
    else
      log.info(
        {
          status: result.report.status,
          files: result.files.length,
          rejected: result.report.rejectCount,
          seconds: result.report.seconds,
        },
        'directory refresh',
      );
  } catch (error) {
    log.error({ err: error }, 'directory refresh failed');
  }
}
