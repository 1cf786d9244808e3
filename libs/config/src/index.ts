export { CLOCK, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { ConfigError, environmentIsProduction, loadConfig, LOG_LEVELS, secretNamed } from './config.js';
export type { HearthConfig, LogLevel, NodeEnv, SigningKeys } from './config.js';
export { ConfigModule, HEARTH_CONFIG } from './config.module.js';
export { publishTestServer, readTestSettings } from './test-settings.js';
export type { TestSettings } from './test-settings.js';
