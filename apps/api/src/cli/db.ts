import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '@hearth/config';
import { dataSourceOptions, openDatabase } from '@hearth/database';
import { ENTITIES } from '../entities.js';
import { projectRoot } from '../version.js';
import { runCli } from './run-cli.js';

const USAGE = 'usage: db run | revert | generate <PascalCaseName>';

/** Migrations against the configured database, or the embedded one. */
await runCli(async () => {
  const [command, name] = process.argv.slice(2);
  if (command !== 'run' && command !== 'revert' && command !== 'generate') throw new Error(USAGE);
  if (command === 'generate' && !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) throw new Error(USAGE);

  const config = loadConfig();
  const database = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
  const dataSource = new DataSource(dataSourceOptions(database.url, ENTITIES, 1));
  try {
    await dataSource.initialize();
    if (command === 'run') {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(applied.length ? applied.map((m) => `applied ${m.name}\n`).join('') : 'nothing to apply\n');
    } else if (command === 'revert') {
      await dataSource.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else {
      await dataSource.runMigrations({ transaction: 'each' });
      process.stdout.write(await generate(dataSource, name ?? ''));
    }
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await database.close();
  }
});

/** Writes the difference between the entities and the database as a new migration. */
async function generate(dataSource: DataSource, name: string): Promise<string> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  if (sql.upQueries.length === 0) return 'the schema matches the entities; no migration written\n';
  const timestamp = Date.now();
  const className = `${name}${timestamp}`;
  const statement = (q: { query: string; parameters?: unknown[] }) =>
    `    await queryRunner.query(${JSON.stringify(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`;
  const source = `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(queryRunner: QueryRunner): Promise<void> {
${sql.upQueries.map(statement).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
${[...sql.downQueries].reverse().map(statement).join('\n')}
  }
}
`;
  const dir = join(projectRoot(), 'libs/database/src/migrations');
  const file = `${timestamp}-${name}`;
  writeFileSync(join(dir, `${file}.ts`), source);
  const indexPath = join(dir, 'index.ts');
  const index = readFileSync(indexPath, 'utf8')
    .replace(
      /(import type \{ MigrationInterface \} from 'typeorm';\n)/,
      `$1import { ${className} } from './${file}.js';\n`,
    )
    .replace(
      /= \[([^\]]*)\];/,
      (_m, list: string) => `= [${list.trim() ? `${list.trim().replace(/,$/, '')}, ` : ''}${className}];`,
    );
  writeFileSync(indexPath, index);
  return `wrote libs/database/src/migrations/${file}.ts and listed it in migrations/index.ts; review it, then run npx prettier --write on it\n`;
}
