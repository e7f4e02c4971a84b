/**
 * W3's reference loop, one definition for the harness's child process (scan-loop.mjs) and the in-process
 * comparison (bench/scan.mjs): the W3 predicate, emails[type eq "work" and value ew "@example.com"], as plain
 * JavaScript over users in memory (case-insensitive, as both attributes have caseExact false), counting every match
 * and keeping the first 10, as a count=10 page needs. Returns the count.
 */
export const W3_SUFFIX = '@example.com';

export function referenceScan(users, suffix = W3_SUFFIX) {
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
