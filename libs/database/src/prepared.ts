import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { EntityManager } from 'typeorm';

/** The most statement texts named; past it a text runs unnamed (parsed and planned each time). */
const MAX_NAMED = 1000;
const names = new Map<string, string>();

function nameOf(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `hearth_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Runs a hot statement as a named (prepared) statement: PostgreSQL parses it once per connection
 * and, after a few executions, may keep one generic plan for it, so write texts whose generic plan
 * is good (no `$n IS NULL OR …` around an index condition: give each case its own text). The
 * name is derived from the text, so one text is prepared once per connection whoever runs it.
 *
 * It runs on the manager's connection: its query runner's pg client inside a transaction (or a
 * unit of work), else a client of the pool. TypeORM's own `query` cannot name a statement, which
 * is why this goes to pg directly (TypeORM's logger still sees each statement).
 */
export async function preparedQuery<T>(manager: EntityManager, text: string, values: unknown[]): Promise<T[]> {
  const name = nameOf(text);
  const config: pg.QueryConfig = name === undefined ? { text, values } : { name, text, values };
  const runner = manager.queryRunner;
  manager.connection.logger.logQuery(text, values, runner);
  if (runner && !runner.isReleased) {
    const client = (await runner.connect()) as pg.PoolClient;
    return (await client.query(config)).rows as T[];
  }
  const pool = (manager.connection.driver as unknown as { master: pg.Pool }).master;
  return (await pool.query(config)).rows as T[];
}
