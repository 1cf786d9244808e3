import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const script = new URL('../tools/table-ownership.mjs', import.meta.url).pathname;
let root: string;

function file(path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

function check(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [script, '--root', root, ...args], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'hearth-ownership-'));
  file('libs/orchard/src/tables.ts', `export const ORCHARD_TABLES = ['apples', 'pears'] as const;`);
  file('libs/orchard/src/apple.repository.ts', 'export const all = `SELECT * FROM apples JOIN pears ON true`;');
  file(
    'libs/market/src/tables.ts',
    `export const MARKET_TABLES = ['stalls'] as const;\nexport const MARKET_VIEWS = ['open_stalls'];`,
  );
  file('libs/market/src/stall.repository.ts', `export const q = 'SELECT * FROM stalls';`);
  // Not the lib's SQL: a comment, a spec, a migration, the test helpers, a word that is no statement.
  file('libs/market/src/notes.ts', `// SELECT * FROM apples\nexport const word = 'apples are sold here';`);
  file('libs/market/src/stall.spec.ts', `export const setup = 'INSERT INTO apples VALUES (1)';`);
  file('libs/market/src/migrations/1-Create.ts', `export const up = 'ALTER TABLE apples ADD x int REFERENCES stalls';`);
  file('libs/testing/src/factories.ts', `export const make = 'INSERT INTO stalls DEFAULT VALUES';`);
  file('tools/table-ownership.baseline', '# none\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the table-ownership check', () => {
  it('passes when every lib names only its own tables', () => {
    expect(check()).toMatchObject({ status: 0 });
  });

  it("fails on SQL naming another lib's table or view, wherever in a statement", () => {
    file('libs/market/src/stall.service.ts', "export const q = `UPDATE stalls SET x = 1 FROM pears p WHERE ${'x'}`;");
    file('libs/orchard/src/pear.repository.ts', `export const q = "SELECT 1 FROM pears JOIN open_stalls s ON true";`);
    const { status, out } = check();
    expect(status).toBe(1);
    expect(out).toContain('market names pears (owned by orchard) in libs/market/src/stall.service.ts');
    expect(out).toContain('orchard names open_stalls (owned by market) in libs/orchard/src/pear.repository.ts');
  });

  it('accepts the violations of the baseline, and fails once one of them is gone', () => {
    file('libs/market/src/stall.service.ts', `export const q = 'INSERT INTO apples VALUES (1)';`);
    expect(check('--write')).toMatchObject({ status: 0 });
    expect(readFileSync(join(root, 'tools/table-ownership.baseline'), 'utf8')).toContain('market apples\n');
    expect(check()).toMatchObject({ status: 0 });

    file('libs/market/src/stall.service.ts', `export const q = 'SELECT 1';`);
    const { status, out } = check();
    expect(status).toBe(1);
    expect(out).toMatch(/fixed, so delete[^\n]*\n\s+market apples/);
  });

  it('refuses a table listed by two libs', () => {
    file('libs/market/src/tables.ts', `export const MARKET_TABLES = ['stalls', 'apples'] as const;`);
    const { status, out } = check();
    expect(status).not.toBe(0);
    expect(out).toContain('apples is listed by both');
  });
});
