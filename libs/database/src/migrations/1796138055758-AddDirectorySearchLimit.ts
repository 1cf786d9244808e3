import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddDirectorySearchLimit1796138055758 implements MigrationInterface {
  name = 'AddDirectorySearchLimit1796138055758';

  async up(q: QueryRunner): Promise<void> {
    // Directory searches per user per window, counted atomically before each search.
    await q.query(`
      CREATE TABLE directory_search_counts (
        user_id uuid PRIMARY KEY REFERENCES users(id),
        searches integer NOT NULL,
        window_started_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE directory_search_counts`);
  }
}
