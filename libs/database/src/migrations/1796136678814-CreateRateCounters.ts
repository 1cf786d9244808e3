import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One atomic counter for every limit (logins, searches, mutations); login_throttle goes. */
export class CreateRateCounters1796136678814 implements MigrationInterface {
  name = 'CreateRateCounters1796136678814';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_counters (
        key text PRIMARY KEY,
        hits integer NOT NULL,
        window_start timestamptz(3) NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX rate_counters_expires_idx ON rate_counters (expires_at)`);
    await q.query(`DROP TABLE login_throttle`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_throttle (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        window_started_at timestamptz NOT NULL,
        locked_until timestamptz
      )`);
    await q.query(`DROP TABLE rate_counters`);
  }
}
