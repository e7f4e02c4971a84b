#!/usr/bin/env node --expose-gc
/**
 * What a journal entry costs in memory, measured: serves 10,000 requests of each kind in process (GET /Users/{id},
 * POST /Users/.search with a filter body, PATCH of a user), then compares the heap with the journal full and
 * after clearing it (both after a full GC), against what the journal counts (`journal.bytes`).
 *
 *   npm run build && node --expose-gc bench/journal-memory.mjs
 */
import { startSeededApp } from './lib/in-process.mjs';

if (typeof gc !== 'function') throw new Error('run with node --expose-gc');
const N = Number(process.argv[2] ?? 10_000);
const { tenant, send, close } = await startSeededApp();

const ids = [...tenant.store.all('User')].map((u) => u.id);
const userNames = [...tenant.store.all('User')].map((u) => u.userName);
const kinds = {
  'GET /Users/{id}': (i) => send('GET', `/scim/v2/Users/${ids[i % ids.length]}`),
  'POST /Users/.search': (i) => send('POST', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "${userNames[i % userNames.length]}"`, count: 1 }),
  'PATCH /Users/{id}': (i) => send('PATCH', `/scim/v2/Users/${ids[i % ids.length]}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `Title ${i}` }] }),
};

/** The heap and the memory of ArrayBuffers (the journal's pages, src/journal/pages.ts), after full collections. */
const heap = () => {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
console.log(`journal: capacity ${tenant.journal.capacity}, maxBytes ${tenant.journal.maxBytes}; ${N} requests per kind`);
for (const [name, fire] of Object.entries(kinds)) {
  for (let i = 0; i < 2000; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => fire(i + k)));
  tenant.journal.clear();
  for (let i = 0; i < N; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => fire(i + k)));
  const full = heap();
  const held = tenant.journal.size;
  const counted = tenant.journal.bytes;
  tenant.journal.clear();
  const empty = heap();
  const perEntry = (full - empty) / held;
  console.log(`${name.padEnd(22)} ${held} entries: heap and pages ${(perEntry / 1024).toFixed(2)} KiB per entry, counted ${(counted / held / 1024).toFixed(2)} KiB per entry (heap/counted ${(perEntry / (counted / held)).toFixed(2)})`);
}
await close();
