import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource, type Logger } from 'typeorm';
import { readTestSettings } from '@hearth/config';
import { dataSourceOptions } from '@hearth/database';

/**
 * Records the statements a repository issues, for the SQL committed under `libs/<lib>/sql/`
 * (a reviewer sees an SQL change in the diff). Each labelled call keeps the statements it ran,
 * transaction control aside, formatted the same way every time.
 */
export interface SqlRecorder {
  /** A pool on the test database whose statements are recorded. */
  readonly dataSource: DataSource;
  /** Runs `call` and files the statements it issued under `label` (e.g. `UserRepository.findById`). */
  record(label: string, call: () => Promise<unknown>): Promise<void>;
  /** The committed file's text: a header naming the spec, then each label and its statements. */
  text(generatedBy: string): string;
  /**
   * The committed file's text, and what it should be now: equal unless the SQL changed. Under
   * `npm run sql` (HEARTH_UPDATE_SQL=1) the file is rewritten first. The labels recorded so far
   * go to this file only: the next file starts empty.
   */
  compare(file: URL, generatedBy: string): { committed: string; current: string };
  close(): Promise<void>;
}

const TRANSACTION_CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION)\b/i;

export async function createSqlRecorder(url: string): Promise<SqlRecorder> {
  let current: string[] | undefined;
  const logger: Logger = {
    logQuery: (query) => {
      if (current && !TRANSACTION_CONTROL.test(query.trim())) current.push(format(query));
    },
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  const dataSource = new DataSource({ ...dataSourceOptions(url, [], 1), logger });
  await dataSource.initialize();
  const sections: string[] = [];
  const text = (generatedBy: string) =>
    `-- The statements of this repository, written by ${generatedBy} (\`npm run sql\` rewrites it).\n\n` +
    sections.join('\n');
  return {
    dataSource,
    async record(label, call) {
      current = [];
      try {
        await call();
      } finally {
        sections.push(`-- ${label}\n${current.length ? current.join(';\n\n') + ';' : '-- (no statement)'}\n`);
        current = undefined;
      }
    },
    text,
    compare(file, generatedBy) {
      const current = text(generatedBy);
      sections.length = 0;
      const path = fileURLToPath(file);
      if (readTestSettings().updateSql) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, current);
      }
      return { committed: existsSync(path) ? readFileSync(path, 'utf8') : `(no ${path})`, current };
    },
    close: () => dataSource.destroy(),
  };
}

/** One statement: its first line trimmed, the others dedented together, no trailing blanks. */
function format(sql: string): string {
  const lines = sql
    .replace(/\s+$/, '')
    .replace(/^\s*\n/, '')
    .split('\n');
  const [first = '', ...rest] = lines;
  const indents = rest.filter((line) => line.trim()).map((line) => line.length - line.trimStart().length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return [first.trim(), ...rest.map((line) => (line.trim() ? `  ${line.slice(cut).trimEnd()}` : ''))]
    .filter((line, i, all) => line || (all[i - 1] ?? '') !== '')
    .join('\n');
}
