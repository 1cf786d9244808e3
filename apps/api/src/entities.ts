import { ALERTS_ENTITIES, ALERTS_TABLES } from '@hearth/alerts';
import { AUDIT_ENTITIES, AUDIT_TABLES } from '@hearth/audit';
import { DATABASE_ENTITIES, DATABASE_TABLES } from '@hearth/database';
import { IDENTITY_ENTITIES, IDENTITY_TABLES } from '@hearth/identity';
import { MUTATION_GATE_ENTITIES, MUTATION_GATE_TABLES } from '@hearth/mutation-gate';
import { NOTIFY_ENTITIES, NOTIFY_TABLES } from '@hearth/notify';
import { NETWORK_ENTITIES, NETWORK_TABLES, NETWORK_VIEWS } from '@hearth/network';
import { REALTIME_ENTITIES, REALTIME_TABLES } from '@hearth/realtime';
import { TIMELINE_ENTITIES, TIMELINE_TABLES } from '@hearth/timeline';

type EntityClass = new () => unknown;

interface Owned {
  readonly tables: readonly string[];
  readonly views?: readonly string[];
  readonly entities: readonly EntityClass[];
}

/** Each lib that owns tables: their names (its `tables.ts`), its views, and one entity per table. */
export const TABLE_OWNERS: Readonly<Record<string, Owned>> = {
  identity: { tables: IDENTITY_TABLES, entities: IDENTITY_ENTITIES },
  audit: { tables: AUDIT_TABLES, entities: AUDIT_ENTITIES },
  network: { tables: NETWORK_TABLES, views: NETWORK_VIEWS, entities: NETWORK_ENTITIES },
  timeline: { tables: TIMELINE_TABLES, entities: TIMELINE_ENTITIES },
  realtime: { tables: REALTIME_TABLES, entities: REALTIME_ENTITIES },
  alerts: { tables: ALERTS_TABLES, entities: ALERTS_ENTITIES },
  database: { tables: DATABASE_TABLES, entities: DATABASE_ENTITIES },
  'mutation-gate': { tables: MUTATION_GATE_TABLES, entities: MUTATION_GATE_ENTITIES },
  notify: { tables: NOTIFY_TABLES, entities: NOTIFY_ENTITIES },
};

/** Every TypeORM entity of Hearth: the data source's, and migration:generate's whole schema. */
export const ENTITIES: EntityClass[] = Object.values(TABLE_OWNERS).flatMap((owner) => [...owner.entities]);
