import type { ChainMonitor } from './audit/verify.ts';
import type { FranceConnectBroker } from './auth/broker/franceconnect.ts';
import type { PscBroker } from './auth/broker/psc.ts';
import type { Config } from './config.ts';
import type { Database } from './db/connect.ts';
import type { InsiClient } from './identity/insi/client.ts';

/** What the HTTP plugins share: built once by `serve`, or by a test. */
export interface AppContext {
  config: Config;
  database: Database;
  chain: ChainMonitor;
  version: string;
  startedAt: Date;
  /** Signs console sessions and CSRF tokens. */
  sessionSecret: string;
  /** The INSi client, when the téléservice (or the sandbox's) is configured. */
  insi: InsiClient | null;
  /** The Pro Santé Connect broker, when a realm (or the sandbox's emulator) is configured. */
  psc?: PscBroker | null;
  /** The FranceConnect+ broker, for usagers and aidants. */
  franceconnect?: FranceConnectBroker | null;
  /** The clock of login decisions: the RIE rules are dated, and tests set the date. */
  now?: () => Date;
}
