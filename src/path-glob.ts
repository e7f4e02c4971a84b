/**
 * The one glob matcher for request paths relative to a SCIM base path, shared by fault rules (`match.path`) and
 * journal queries (`path`). Rules:
 * - `*` as a whole segment matches exactly one segment; `*` inside a segment matches any characters within it
 *   (`/Users/abc*`, `/Schemas/urn:*`);
 * - `**` as a whole segment matches any number of segments, none included (`/Users/**` matches `/Users` too);
 * - everything else is literal and compared case-insensitively (SCIM endpoint names are);
 * - empty segments and a trailing slash are ignored on both sides, the query string of the path is ignored, and
 *   a path matches when either its raw or its percent-decoded form does (`/Schemas/urn%3A...` ~ `/Schemas/urn:*`).
 */

/** The anchored, case-insensitive expression of a glob (matched against a normalised path). */
export function globToRegExp(glob: string): RegExp {
  const segs = glob.split('/').filter((s) => s.length > 0);
  let source = '';
  for (const seg of segs) {
    if (seg === '**') source += '(?:/[^/]+)*';
    else if (seg === '*') source += '/[^/]+';
    else source += '/' + seg.split('*').map(escapeRegExp).join('[^/]*');
  }
  return new RegExp(`^${source}$`, 'i');
}

/** Compiles a glob once into a test on relative paths. */
export function compilePathGlob(glob: string): (relativePath: string) => boolean {
  const re = globToRegExp(glob);
  return (relativePath) => {
    const candidates = pathCandidates(relativePath);
    return re.test(candidates[0]!) || (candidates.length > 1 && re.test(candidates[1]!));
  };
}

/** A glob test on a path relative to the SCIM base path. */
export function pathMatchesGlob(glob: string, relativePath: string): boolean {
  return compilePathGlob(glob)(relativePath);
}

/** The normalised path, and its percent-decoded form when that differs. */
function pathCandidates(relativePath: string): string[] {
  const q = relativePath.search(/[?#]/);
  const raw = (q === -1 ? relativePath : relativePath.slice(0, q)).split('/').filter((s) => s.length > 0);
  const norm = raw.map((s) => '/' + s).join('');
  if (!norm.includes('%')) return [norm];
  const decoded = raw
    .map((s) => {
      try {
        return '/' + decodeURIComponent(s);
      } catch {
        return '/' + s;
      }
    })
    .join('');
  return decoded === norm ? [norm] : [norm, decoded];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
