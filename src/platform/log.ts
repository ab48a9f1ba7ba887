import { type Logger, pino } from 'pino';
import type { Config } from '../config.ts';

export type { Logger };

export function createLogger(config: Pick<Config, 'logLevel' | 'logPretty'>, name = 'iotops'): Logger {
  return pino({
    name,
    level: config.logLevel,
    // pino-pretty is a dev dependency: only load it when asked for.
    transport: config.logPretty ? { target: 'pino-pretty', options: { colorize: true } } : undefined,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'],
  });
}
