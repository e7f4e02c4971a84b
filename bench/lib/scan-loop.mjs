/**
 * W3's reference loop (w3-reference.mjs) timed in a process of its own over users read from a file. Prints { runsMs, matches, users } (one time per repetition, in order).
 *
 *   node bench/lib/scan-loop.mjs <users.json> <n> <repetitions>
 */
import { readFileSync } from 'node:fs';
import { referenceScan } from './w3-reference.mjs';

const [file, nText, repsText] = process.argv.slice(2);
const users = JSON.parse(readFileSync(file, 'utf8')).slice(0, Number(nText));
const reps = Number(repsText);
const scan = () => referenceScan(users);

let matches = 0;
for (let i = 0; i < 3; i++) matches = scan(); // warm-up
const runsMs = [];
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  matches = scan();
  runsMs.push(performance.now() - t0);
}
process.stdout.write(JSON.stringify({ runsMs, matches, users: users.length }) + '\n');
