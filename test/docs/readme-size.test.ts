/**
 * scripts/pack-check.mjs (run by .ci/run after `npm test`) holds the tarball to the README's "about N kB packed":
 * the rule it applies, scripts/readme-size.mjs, on the real README and on sizes either side of the 20 % bound.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
// A plain .mjs script (run by node without a build): imported through a variable, typed here.
const script: string = join(ROOT, 'scripts/readme-size.mjs');
const { packedSizeProblem, readmePackedClaim } = (await import(script)) as {
  packedSizeProblem: (readme: string, bytes: number) => string | undefined;
  readmePackedClaim: (readme: string) => { bytes: number; text: string } | undefined;
};

describe('the README\'s packed size, as the pack check reads it', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('the README states one, in "Use in CI"', () => {
    const claim = readmePackedClaim(readme);
    expect(claim).toBeDefined();
    expect(claim!.bytes).toBeGreaterThan(0);
    const useInCi = readme.slice(readme.indexOf('## Use in CI'), readme.indexOf('\n## ', readme.indexOf('## Use in CI') + 1));
    expect(useInCi).toContain(claim!.text);
  });

  it('a tarball within 20 % of it passes; beyond, the problem names both numbers and what to do', () => {
    const md = 'the LICENSE (about 500 kB packed). Give';
    expect(packedSizeProblem(md, 499_574)).toBeUndefined();
    expect(packedSizeProblem(md, 600_000)).toBeUndefined();
    expect(packedSizeProblem(md, 400_000)).toBeUndefined();
    expect(packedSizeProblem(md, 600_001)).toBe('README.md says "about 500 kB packed", but the tarball is 600.0 kB packed (+20 %, more than 20 % off): update the figure in README.md, or find what made the package grow');
    expect(packedSizeProblem(md, 390_000)).toBe('README.md says "about 500 kB packed", but the tarball is 390.0 kB packed (-22 %, more than 20 % off): update the figure in README.md, or find what made the package shrink');
    expect(packedSizeProblem('about 1.2 MB packed', 1_000_000)).toBeUndefined();
    expect(packedSizeProblem('no figure', 499_574)).toBe('README.md states no packed size ("about N kB packed", section "Use in CI"); the tarball is 499.6 kB');
  });
});
