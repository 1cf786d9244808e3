// The read operation's statements as `npm run bench` wrote them for pgbench
// (bench/results/scripts/read.sql and read.defines.json), as prepared pg queries, one per line
// without BEGIN and COMMIT. Shared by the hand-run cost scripts of this folder.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCRIPTS = join(fileURLToPath(new URL('.', import.meta.url)), 'results', 'scripts');

/** A pgbench value as a pg parameter: NULL is null, `{"a","b"}` is an array, JSON stays text. */
const parameter = (value) =>
  value === 'NULL'
    ? null
    : value.startsWith('{"') && !value.includes('":')
      ? value
          .slice(1, -1)
          .split(',')
          .map((v) => v.replace(/"/g, ''))
      : value;

/** read.defines.json's `-D name=value` pairs, as pgbench takes them. */
export function readDefines() {
  const flags = JSON.parse(readFileSync(join(SCRIPTS, 'read.defines.json'), 'utf8'));
  const defines = new Map();
  for (let i = 1; i < flags.length; i += 2) {
    const pair = flags[i];
    defines.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }
  return defines;
}

/** The statements of read.sql, named `<prefix>_<n>`, with their values from read.defines.json. */
export function readStatements(prefix) {
  const defines = readDefines();
  return readFileSync(join(SCRIPTS, 'read.sql'), 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== 'BEGIN;' && line !== 'COMMIT;')
    .map((line, i) => {
      const values = [];
      const text = line.replace(/;$/, '').replace(/:(s\d+_\d+)/g, (_, name) => {
        values.push(parameter(defines.get(name)));
        return `$${values.length}`;
      });
      return { name: `${prefix}_${i}`, text, values };
    });
}
