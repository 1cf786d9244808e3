// What each socket costs, by kind of object: the difference between two heap snapshots of the
// sockets scenario (BENCH_HEAP_SNAPSHOTS=<folder> npm run bench -- --only sockets), per socket.
//
//   node bench/heap-diff.mjs <earlier.heapsnapshot> <later.heapsnapshot> <sockets added between them>
import { readFileSync } from 'node:fs';

/** Count and self size of the snapshot's nodes, by constructor name (or V8's kind of node; closures by function name). */
function byKind(file) {
  const snapshot = JSON.parse(readFileSync(file, 'utf8'));
  const {
    node_fields: fields,
    node_types: [types],
  } = snapshot.snapshot.meta;
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map();
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const t = types[snapshot.nodes[i + type]];
    const named = snapshot.strings[snapshot.nodes[i + name]];
    const label = t === 'object' ? named : t === 'closure' ? `(closure) ${named || '(anonymous)'}` : `(${t})`;
    const kind = kinds.get(label) ?? { count: 0, bytes: 0 };
    kind.count += 1;
    kind.bytes += snapshot.nodes[i + size];
    kinds.set(label, kind);
  }
  return kinds;
}

const [earlier, later, added] = process.argv.slice(2);
if (!earlier || !later || !(Number(added) > 0)) {
  console.error('usage: node bench/heap-diff.mjs <earlier.heapsnapshot> <later.heapsnapshot> <sockets added>');
  process.exit(2);
}
const before = byKind(earlier);
const rows = [...byKind(later)].map(([label, { count, bytes }]) => {
  const was = before.get(label) ?? { count: 0, bytes: 0 };
  return { label, count: (count - was.count) / Number(added), bytes: (bytes - was.bytes) / Number(added) };
});
rows.sort((a, b) => b.bytes - a.bytes);
const total = rows.reduce((sum, row) => sum + row.bytes, 0);
console.log(`${total.toFixed(0)} bytes per socket in all; the largest kinds (bytes, objects per socket):`);
for (const row of rows.slice(0, 50))
  console.log(`${row.bytes.toFixed(0).padStart(7)} ${row.count.toFixed(2).padStart(7)}  ${row.label}`);
