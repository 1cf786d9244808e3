// Runs an SQL file (several statements, DO blocks) on DATABASE_URL: the `migrate` command applies
// deploy/sql/grants.sql with it after the migrations. psql is not in the image.
import { readFileSync } from 'node:fs';
import pg from 'pg';

const [file] = process.argv.slice(2);
if (!file || !process.env.DATABASE_URL) {
  process.stderr.write('usage: DATABASE_URL=… node apply-sql.mjs <file.sql>\n');
  process.exit(64);
}
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
client.on('notice', (notice) => process.stdout.write(`${notice.message}\n`));
try {
  await client.connect();
  await client.query(readFileSync(file, 'utf8'));
  process.stdout.write(`applied ${file}\n`);
} catch (error) {
  process.stderr.write(`hearth: ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}
