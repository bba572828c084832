import type { ChainMonitor } from './audit/verify.ts';
import type { Config } from './config.ts';
import type { Database } from './db/connect.ts';

/** What the HTTP plugins share: built once by `serve`, or by a test. */
export interface AppContext {
  config: Config;
  database: Database;
  chain: ChainMonitor;
  version: string;
  startedAt: Date;
}
