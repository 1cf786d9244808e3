// Hearth's statements, read by name from the committed libs/<lib>/sql/*.sql files (written from
// the repositories by `npm run sql`), so that the baselines follow when Hearth's SQL changes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every statement of a file, by its label (`-- Repository.method` line). */
function parse(text: string): Map<string, string> {
  const statements = new Map<string, string>();
  let label: string | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (label) statements.set(label, lines.join('\n').trim().replace(/;\s*$/, ''));
  };
  for (const line of text.split('\n')) {
    const heading = /^-- ([A-Z]\w+\.\w+.*)$/.exec(line);
    if (heading) {
      flush();
      label = heading[1]!.trim();
      lines = [];
    } else if (label && !line.startsWith('--')) {
      lines.push(line);
    }
  }
  flush();
  return statements;
}

/** Statements of libs/<lib>/sql/<file>.sql by label; throws naming the label when it is gone. */
export function hearthSql(root: string): (lib: string, file: string, label: string) => string {
  const cache = new Map<string, Map<string, string>>();
  return (lib, file, label) => {
    const path = join(root, 'libs', lib, 'sql', `${file}.sql`);
    let statements = cache.get(path);
    if (!statements) {
      statements = parse(readFileSync(path, 'utf8'));
      cache.set(path, statements);
    }
    const text = statements.get(label);
    if (!text) throw new Error(`${label} is not in ${path}: the benchmark follows Hearth's statements by name`);
    return text;
  };
}
