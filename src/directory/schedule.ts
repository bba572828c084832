import { join } from 'node:path';
import { Cron } from 'croner';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/connect.ts';
import { parseSources, refreshDirectory } from './refresh.ts';

/**
 * The nightly refresh of the directory when sources are configured. Runs never overlap in a process, and the
 * import's advisory lock keeps instances sharing a PostgreSQL from importing at the same time.
 */
export function scheduleDirectoryRefresh(
  database: Database,
  config: Config,
  log: FastifyBaseLogger,
): Cron | null {
  const sources = parseSources(config.directory.sources);
  if (sources.length === 0) return null;
  return new Cron(config.directory.schedule, { timezone: 'Europe/Paris', protect: true }, async () => {
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
  });
}
