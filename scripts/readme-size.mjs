/**
 * The README's claim about the packed package ("about 500 kB packed", README "Use in CI"), checked against the real
 * tarball by scripts/pack-check.mjs: the figure is read from the README, so the text and the check cannot drift
 * apart, and a tarball more than TOLERANCE off the figure fails the pack check naming both numbers (update the
 * README, or find what grew).
 */

/** How far the packed size may be from the README's figure, as a share of the figure. */
export const TOLERANCE = 0.2;
const CLAIM = /about (\d+(?:\.\d+)?) (kB|MB) packed/;

/** The README's figure, in bytes, with its words; undefined when the README states none. */
export function readmePackedClaim(readme) {
  const match = CLAIM.exec(readme);
  if (!match) return undefined;
  return { bytes: Number(match[1]) * (match[2] === 'MB' ? 1_000_000 : 1_000), text: match[0] };
}

/** What is wrong with the README's figure for a tarball of `packedBytes` bytes, or undefined when it holds. */
export function packedSizeProblem(readme, packedBytes) {
  const claim = readmePackedClaim(readme);
  const real = `${(packedBytes / 1000).toFixed(1)} kB`;
  if (!claim) return `README.md states no packed size ("about N kB packed", section "Use in CI"); the tarball is ${real}`;
  const off = (packedBytes - claim.bytes) / claim.bytes;
  if (Math.abs(off) <= TOLERANCE) return undefined;
  return `README.md says "${claim.text}", but the tarball is ${real} packed (${off > 0 ? '+' : ''}${Math.round(off * 100)} %, more than ${TOLERANCE * 100} % off): update the figure in README.md, or find what made the package ${off > 0 ? 'grow' : 'shrink'}`;
}
