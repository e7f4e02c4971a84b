/**
 * vitest globalSetup: builds the dashboard (src/ui -> dist/dashboard) before the tests, so the servers the tests start
 * from src/ serve the page as it is in the sources, on a fresh clone as after an edit. Transpiling a dozen small
 * files takes well under a second.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build-ui.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: ['ignore', 'ignore', 'inherit'] });
}
