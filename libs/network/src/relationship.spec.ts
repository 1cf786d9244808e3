import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' || entry.name === 'node_modules' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/**
 * "Who has a relationship with this family now" is the family_relationships view and nothing
 * else: a second copy of the membership or grant condition is how channels drifted apart before.
 */
describe('the one source of relationship', () => {
  const copies = [
    /expires_at\s*>\s*now\(\)/i,
    /expires_at\s+IS\s+NULL\s+OR/i,
    /review_outcome\s+IS\s+DISTINCT\s+FROM/i,
    /removed_at\s+IS\s+NULL\s+AND\s*\(/i,
  ];

  it('is not repeated in any SQL outside the migration that defines it', () => {
    const offenders = [join(ROOT, 'libs'), join(ROOT, 'apps')]
      .flatMap(sources)
      .filter((file) => copies.some((pattern) => pattern.test(readFileSync(file, 'utf8'))))
      .map((file) => relative(ROOT, file));
    expect(offenders).toEqual([]);
  });

  it('would notice a copy (the patterns match the condition as it is written in the view)', () => {
    const view = readdirSync(join(ROOT, 'libs/database/src/migrations'))
      .filter((name) => name.includes('OneSourceOfRelationship'))
      .map((name) => readFileSync(join(ROOT, 'libs/database/src/migrations', name), 'utf8'))
      .join('\n');
    for (const pattern of copies) expect(pattern.test(view)).toBe(true);
  });
});
