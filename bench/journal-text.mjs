#!/usr/bin/env node
/**
 * What the journal query's `text` condition costs over a full journal: serves a mix of requests in process
 * (GET /Users/{id}, GET /Users?filter=, POST /Users/.search, PATCH of a user) until the journal holds 10,000
 * entries (its byte limit raised for that), then times journal.count({ text }) (every held entry tested) for a few kinds of needle
 * (absent ones with and without the letters "k" and a final "i", which U+212A and U+0130 lower-case to; one only a
 * response header holds), and GET
 * /_mock/requests?text=...&response=none as the dashboard asks it. Reports the median of the runs, and for the counts also
 * the median of the CPU time this process used (what holds on a shared, loaded machine, where wall time measures the
 * neighbours too).
 *
 *   npm run build && node bench/journal-text.mjs [runs]
 */
import { performance } from 'node:perf_hooks';
import { startSeededApp } from './lib/in-process.mjs';

const RUNS = Number(process.argv[2] ?? 15);
// A byte limit above the default 16 MiB, so that the journal holds its full 10,000 entries (16 MiB holds about 6,600 of these).
const { tenant, send, close } = await startSeededApp({ journalMaxBytes: 64 * 1024 * 1024 });

const users = [...tenant.store.all('User')];
const kinds = [
  (i) => send('GET', `/scim/v2/Users/${users[i % users.length].id}`),
  (i) => send('GET', `/scim/v2/Users?filter=${encodeURIComponent(`userName eq "${users[i % users.length].userName}"`)}`),
  (i) => send('POST', '/scim/v2/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "${users[i % users.length].userName}"`, count: 1 }),
  (i) => send('PATCH', `/scim/v2/Users/${users[i % users.length].id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: `Title ${i}` }] }),
];
const journal = tenant.journal;
for (let i = 0; i < journal.capacity * 1.2; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => kinds[(i + k) % kinds.length](i + k)));
console.log(`journal: ${journal.size} entries held (capacity ${journal.capacity}), ${(journal.bytes / 1024 / 1024).toFixed(1)} MiB counted`);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// A string only some response bodies hold (a user's family name), and the rest.
const rare = users[7].name?.familyName ?? users[7].userName;
// The ETag of one answer (W/"<version>.<suffix>"), which only that response's headers hold, as the dashboard shows it.
const etag = journal.find({ order: 'desc', limit: 50 }).map((e) => e.responseHeaders.etag).find((v) => typeof v === 'string');
const needles = {
  'absent (letters)': 'no-such-text-anywhere',
  'absent (k, final i)': 'no-such-kind-of-wiki',
  'absent (digits)': '9876543210123',
  'response-only, rare': rare,
  'response header': `ETag: ${etag}`,
  'common (urn:ietf)': 'URN:IETF',
  'non-ASCII': 'Müller',
};
for (const [name, text] of Object.entries(needles)) {
  const times = [];
  const cpu = [];
  let count = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const c = process.cpuUsage();
    count = journal.count({ text });
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  console.log(
    `count({ text: ${JSON.stringify(text)} }) ${name.padEnd(21)} ${String(count).padStart(6)} matches: median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms, CPU median ${median(cpu).toFixed(1)} ms`,
  );
}
// The counts above held the event loop for seconds: let the agent see the keep-alive sockets the server closed meanwhile
// (its keep-alive timeout), or a request goes out on one of them and fails with ECONNRESET.
await new Promise((r) => setTimeout(r, 200));
for (const text of [rare, 'URN:IETF']) {
  const times = [];
  let last;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    last = await send('GET', `/_mock/requests?text=${encodeURIComponent(text)}&order=desc&limit=2000&response=none`, undefined, true);
    times.push(performance.now() - t);
  }
  console.log(`GET /_mock/requests?text=${text}&limit=2000&response=none: ${last.status}, ${(last.size / 1024).toFixed(0)} KiB, median ${median(times).toFixed(1)} ms`);
}
await close();
