import type { Config } from '../config.ts';
import type { Database } from './db/client.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

/** What every service is built from: config, database, logger, metrics. */
export type Ctx = {
  config: Config;
  database: Database;
  log: Logger;
  metrics: Metrics;
};
