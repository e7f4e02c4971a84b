/**
 * Serves the dashboard (src/ui/, built into dist/dashboard/ by scripts/build-ui.mjs) at <control path>/ui/.
 *
 * The page and its scripts are static and carry no data, so they are served without the control token; the page
 * then asks for the token and sends it on every control request. `boot.json` tells the page whether to ask.
 * Only flat file names with a known extension are served (no paths, no directory listing), with a Content
 * Security Policy that lets the page talk to its own origin and nothing else.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, type Response } from 'express';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};
const FILE = /^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(html|css|js|svg)$/;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * Where the built dashboard is: dist/dashboard, beside this module once compiled (dist/http), or from src/http when
 * this module runs from the sources (the tests; test/dashboard/build.setup.ts builds it first). A folder of its own:
 * tsc, which may run at the same time (test/cli builds), never writes there. Undefined when it was never built.
 */
export function dashboardDirectory(): string | undefined {
  const candidates = [new URL('../dashboard/', import.meta.url), new URL('../../dist/dashboard/', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((dir) => existsSync(join(dir, 'main.js')) && existsSync(join(dir, 'index.html')));
}

function secure(res: Response): Response {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  return res;
}

/** GET /ui (redirect), /ui/ (the page), /ui/boot.json, /ui/<asset>. Mounted before the control token check. */
export function dashboardRouter({ tokenRequired, journal = true }: { tokenRequired: boolean; journal?: boolean }): Router {
  const router = Router();
  const dir = dashboardDirectory();

  router.get('/ui', (req, res, next) => {
    if (req.path !== '/ui') return next();
    // Relative URLs in the page (./main.js, ../requests) need the trailing slash.
    const [path, query] = req.originalUrl.split('?', 2);
    res.redirect(302, `${path}/${query === undefined ? '' : `?${query}`}`);
  });

  router.get('/ui/boot.json', (_req, res) => {
    // journal: false with --no-journal (the page then says why no request shows, instead of waiting for one).
    secure(res).json({ tokenRequired, journal });
  });

  router.get(['/ui/', '/ui/:file'], async (req, res, next) => {
    const name = (req.params as { file?: string }).file ?? 'index.html';
    const match = FILE.exec(name);
    if (!match) return next();
    if (!dir) {
      res.status(503).json({ error: 'The dashboard is not built: run "npm run build" (it writes dist/dashboard).' });
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(join(dir, name));
    } catch {
      return next();
    }
    secure(res).type(CONTENT_TYPES[match[1]]).send(body);
  });

  return router;
}
