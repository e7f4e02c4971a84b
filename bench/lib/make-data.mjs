/**
 * Generates the peers' directory once (json-server and scimmy-routers load it; Scimulator generates its own):
 * `node bench/lib/make-data.mjs <dir> <users>` writes <dir>/users.json (array of SCIM users), db-10000.json and
 * db-<users>.json ({ "users": [...] } for json-server), and sample.json (ids and userNames to request).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateDirectory } from '../../dist/seed/generate.js';

const [dir, countText] = process.argv.slice(2);
const count = Number(countText);
mkdirSync(dir, { recursive: true });
const { users } = generateDirectory({ seed: 1, users: count, groups: 0 });
const lines = users.map((u) => JSON.stringify(u));
const write = (name, text) => {
  writeFileSync(join(dir, `${name}.part`), text);
  renameSync(join(dir, `${name}.part`), join(dir, name));
};
const pick = (n, size) => {
  // 64 users spread over the first n, never the very first ones (no lucky early exit in a linear search)
  const out = [];
  for (let i = 0; i < size; i++) out.push(users[Math.floor(((i + 0.5) / size) * n)]);
  return { ids: out.map((u) => u.id), userNames: out.map((u) => u.userName) };
};
const small = Math.min(10_000, count);
write(`db-${small}.json`, `{"users":[\n${lines.slice(0, small).join(',\n')}\n]}\n`);
if (count !== small) write(`db-${count}.json`, `{"users":[\n${lines.join(',\n')}\n]}\n`);
write('sample.json', JSON.stringify({ [small]: pick(small, 64), [count]: pick(count, 64) }));
write('users.json', `[\n${lines.join(',\n')}\n]\n`);
