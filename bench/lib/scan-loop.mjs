/**
 * W3's reference: the W3 predicate, emails[type eq "work" and value ew "@example.com"], as a plain JavaScript
 * loop over the users in memory (case-insensitive, as both attributes have caseExact false), counting every
 * match and keeping the first 10, as a count=10 page needs. Prints { runsMs, matches, users } (one time per repetition, in order).
 *
 *   node bench/lib/scan-loop.mjs <users.json> <n> <repetitions>
 */
import { readFileSync } from 'node:fs';

const [file, nText, repsText] = process.argv.slice(2);
const users = JSON.parse(readFileSync(file, 'utf8')).slice(0, Number(nText));
const reps = Number(repsText);
const suffix = '@example.com';

function scan() {
  const page = [];
  let total = 0;
  for (let i = 0; i < users.length; i++) {
    const emails = users[i].emails;
    if (!Array.isArray(emails)) continue;
    for (let j = 0; j < emails.length; j++) {
      const e = emails[j];
      if (typeof e.type === 'string' && e.type.toLowerCase() === 'work' && typeof e.value === 'string' && e.value.toLowerCase().endsWith(suffix)) {
        total++;
        if (page.length < 10) page.push(users[i]);
        break;
      }
    }
  }
  return total;
}

let matches = 0;
for (let i = 0; i < 3; i++) matches = scan(); // warm-up
const runsMs = [];
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  matches = scan();
  runsMs.push(performance.now() - t0);
}
process.stdout.write(JSON.stringify({ runsMs, matches, users: users.length }) + '\n');
