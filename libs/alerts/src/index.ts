export { AlertEngine } from './alert-engine.service.js';
export { AlertModel, AlertStatus, Rag, RuleModel } from './alert.models.js';
export { AlertScheduler } from './alert-scheduler.service.js';
export { AlertService } from './alert.service.js';
export { AlertsModule } from './alerts.module.js';
export { ALERT_CLOCK, systemClock } from './clock.js';
export type { AlertClock } from './clock.js';
export { ruleDefinitionSchema } from './rule-definition.js';
export type { RuleDefinition } from './rule-definition.js';
