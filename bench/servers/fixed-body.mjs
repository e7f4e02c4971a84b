/**
 * References: the physical limit of Node on this machine (`--kind http`: bare node:http) and the framework's
 * own cost (`--kind express`: a bare express 5 app, one handler). Both answer every request with the same fixed
 * 300-byte JSON body. Not part of Scimulator.
 *
 *   node bench/servers/fixed-body.mjs --kind http|express --port 8080
 */
import { createServer } from 'node:http';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const kind = arg('kind', 'http');
const port = Number(arg('port', '8080'));

/** Exactly 300 bytes of JSON, shaped like a small SCIM resource. */
function fixedBody() {
  const base = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: '2819c223-7f76-453a-919d-413861904646', userName: 'bjensen@example.com', active: true, pad: '' };
  const size = Buffer.byteLength(JSON.stringify(base));
  base.pad = 'x'.repeat(300 - size);
  const text = JSON.stringify(base);
  if (Buffer.byteLength(text) !== 300) throw new Error('fixed body is not 300 bytes');
  return Buffer.from(text);
}
const BODY = fixedBody();

let server;
if (kind === 'http') {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
      res.end(BODY);
    });
  });
} else if (kind === 'express') {
  const { default: express } = await import('express');
  const app = express();
  app.use((req, res) => {
    req.resume();
    req.on('end', () => {
      res.type('application/json').send(BODY);
    });
  });
  server = createServer(app);
} else {
  throw new Error(`--kind must be http or express, got ${kind}`);
}
server.listen(port, '127.0.0.1', () => process.stdout.write(`${kind} reference listening on ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
