// Table ownership (ARCHITECTURE.md, "Who owns what"): every table has one owning lib, listed in
// that lib's src/tables.ts, and only the owner's SQL names it. This reads the string literals of
// each lib's TypeScript (not its specs, not migrations) and reports every table of another lib
// that a statement names after FROM, JOIN, INTO, UPDATE, TABLE, REFERENCES or TRUNCATE.
//
// Known violations are listed in table-ownership.baseline as `<lib> <table>` lines. The check
// fails on a violation missing from the baseline, and on a baseline line that no longer occurs
// (delete it: the list only shrinks).
//
//   node tools/table-ownership.mjs            check (part of npm run lint)
//   node tools/table-ownership.mjs --write    rewrite the baseline from the code as it is
//   --root <dir>                              check another checkout (the script's own spec)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const rootFlag = process.argv.indexOf('--root');
const root = rootFlag > 0 ? process.argv[rootFlag + 1] : new URL('..', import.meta.url).pathname;
const libsDir = join(root, 'libs');
const baselineFile = join(root, 'tools', 'table-ownership.baseline');

function literals(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) found.push(node.text);
    else if (ts.isTemplateExpression(node))
      found.push([node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' $_ '));
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** table or view → owning lib, from each lib's src/tables.ts (its `*_TABLES` and `*_VIEWS` arrays). */
function owners() {
  const owner = new Map();
  for (const lib of readdirSync(libsDir)) {
    const file = join(libsDir, lib, 'src', 'tables.ts');
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isVariableDeclaration(node) && /_(TABLES|VIEWS)$/.test(node.name.getText(source))) {
        let init = node.initializer;
        while (init && (ts.isAsExpression(init) || ts.isSatisfiesExpression(init))) init = init.expression;
        if (init && ts.isArrayLiteralExpression(init))
          for (const element of init.elements) {
            if (!ts.isStringLiteral(element)) continue;
            if (owner.has(element.text))
              throw new Error(`${element.text} is listed by both ${owner.get(element.text)} and ${lib}`);
            owner.set(element.text, lib);
          }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return owner;
}

const owner = owners();
const names = [...owner.keys()].sort((a, b) => b.length - a.length).join('|');
const naming = new RegExp(`\\b(?:FROM|JOIN|INTO|UPDATE|TABLE|REFERENCES|TRUNCATE)\\s+(?:ONLY\\s+)?(${names})\\b`, 'g');

/** `<lib> <table>` → files of that lib whose SQL names the table. */
const violations = new Map();
for (const lib of readdirSync(libsDir)) {
  if (lib === 'testing') continue; // test support builds fixtures in every table
  let files;
  try {
    files = tsFiles(join(libsDir, lib, 'src'));
  } catch {
    continue;
  }
  for (const file of files)
    for (const literal of literals(file))
      for (const match of literal.matchAll(naming)) {
        const table = match[1];
        if (owner.get(table) === lib) continue;
        const key = `${lib} ${table}`;
        const seen = violations.get(key) ?? new Set();
        seen.add(relative(root, file));
        violations.set(key, seen);
      }
}

const current = [...violations.keys()].sort();
if (process.argv.includes('--write')) {
  const header =
    '# Tables a lib names in its SQL though another lib owns them (tools/table-ownership.mjs).\n' +
    '# `<lib> <table>` per line. This list may only shrink: move the statement to the owner.\n';
  writeFileSync(baselineFile, header + current.map((key) => `${key}\n`).join(''));
  console.log(`table ownership: ${current.length} known violations written to ${relative(root, baselineFile)}`);
  process.exit(0);
}

const baseline = readFileSync(baselineFile, 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));
const fresh = current.filter((key) => !baseline.includes(key));
const gone = baseline.filter((key) => !violations.has(key));
const describe = (key) => {
  const [lib, table] = key.split(' ');
  return `  ${lib} names ${table} (owned by ${owner.get(table) ?? 'no lib'}) in ${[...(violations.get(key) ?? [])].join(', ')}`;
};

if (fresh.length > 0) {
  console.error('table ownership: SQL naming a table another lib owns (call the owner instead):');
  for (const key of fresh) console.error(describe(key));
}
if (gone.length > 0) {
  console.error(`table ownership: fixed, so delete from ${relative(root, baselineFile)}:`);
  for (const key of gone) console.error(`  ${key}`);
}
if (fresh.length > 0 || gone.length > 0) process.exit(1);
console.log(`table ownership: ${current.length} known violations (${relative(root, baselineFile)}), no new one`);
for (const key of current) console.log(describe(key));
