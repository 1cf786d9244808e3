import { AlertEntity, AlertHistoryEntity, AlertRecipientEntity } from './alert.entity.js';
import { RuleEntity, RuleVersionEntity } from './rule.entity.js';

/** The tables alerts owns: only its SQL names them (checked by `npm run lint`). */
export const ALERTS_TABLES = ['rules', 'rule_versions', 'alerts', 'alert_recipients', 'alert_history'] as const;

/** One entity per table above. */
export const ALERTS_ENTITIES = [RuleEntity, RuleVersionEntity, AlertEntity, AlertRecipientEntity, AlertHistoryEntity];
