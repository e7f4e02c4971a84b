/**
 * Peer: a SCIM server built the documented way on scimmy + scimmy-routers (express 5 from this project's
 * node_modules), with a minimal in-memory handler set for Users. Not part of Scimulator.
 *
 *   node bench/servers/scimmy.mjs --port 8080 --db db-10000.json   (a json-server style { "users": [...] } file)
 *
 * Handlers: egress answers by id from a Map, and lists with scimmy's own Filter.match over every user (what a
 * minimal integration does; scimmy has no index); ingress creates or replaces, with userName uniqueness from a
 * Map; degress deletes. scimmy builds the ListResponse (sorting, paging) itself.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import express from 'express';
import SCIMMY from 'scimmy';
import SCIMMYRouters from 'scimmy-routers';

const args = parseArgs(process.argv.slice(2));
const port = Number(args.port ?? 8080);
const token = args.token ?? 'scimulator-dev-token';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const users = new Map();
const byUserName = new Map();
if (args.db) {
  for (const u of JSON.parse(readFileSync(args.db, 'utf8')).users) {
    users.set(u.id, u);
    byUserName.set(u.userName.toLowerCase(), u.id);
  }
}

SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false))
  .egress((resource) => {
    if (resource.id) {
      const user = users.get(resource.id);
      if (!user) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
      return user;
    }
    const all = [...users.values()];
    const matches = resource.filter ? resource.filter.match(all) : all;
    // scimmy's read() turns every returned user into a Schemas.User before its ListResponse pages them, which
    // takes minutes for 100,000 matches. For a first page without sorting, hand back a sparse array holding
    // only that page: map() and filter() skip the holes, and totalResults (the array's length) stays right.
    const { startIndex = 1, count, sortBy } = resource.constraints ?? {};
    if (sortBy === undefined && startIndex === 1 && Number.isInteger(count) && count < matches.length) {
      const page = new Array(matches.length);
      for (let i = 0; i < count; i++) page[i] = matches[i];
      return page;
    }
    return matches;
  })
  .ingress((resource, instance) => {
    const now = new Date().toISOString();
    const key = String(instance.userName).toLowerCase();
    const owner = byUserName.get(key);
    if (owner !== undefined && owner !== resource.id) throw new SCIMMY.Types.Error(409, 'uniqueness', `userName ${instance.userName} is taken`);
    if (resource.id) {
      const existing = users.get(resource.id);
      if (!existing) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
      byUserName.delete(String(existing.userName).toLowerCase());
      const replaced = { ...JSON.parse(JSON.stringify(instance)), id: resource.id, meta: { ...existing.meta, lastModified: now } };
      users.set(resource.id, replaced);
      byUserName.set(key, resource.id);
      return replaced;
    }
    const id = randomUUID();
    const created = { ...JSON.parse(JSON.stringify(instance)), id, meta: { resourceType: 'User', created: now, lastModified: now } };
    users.set(id, created);
    byUserName.set(key, id);
    return created;
  })
  .degress((resource) => {
    const existing = users.get(resource.id);
    if (!existing) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
    users.delete(resource.id);
    byUserName.delete(String(existing.userName).toLowerCase());
  });

const app = express();
// Express 5 re-parses req.query on every read, so scimmy-routers' cast of startIndex/count to numbers would be
// lost (and `count` ignored). Freeze one parsed copy per request, as express 4 did.
app.use((req, _res, next) => {
  Object.defineProperty(req, 'query', { value: { ...req.query }, writable: true, configurable: true, enumerable: true });
  next();
});
app.use(
  '/scim/v2',
  new SCIMMYRouters({
    type: 'bearer',
    handler: (req) => {
      if (req.header('Authorization') !== `Bearer ${token}`) throw new Error('Authorization failed');
      return 'bench';
    },
  }),
);
const server = app.listen(port, '127.0.0.1', () => process.stdout.write(`scimmy-routers listening on ${server.address().port} with ${users.size} users\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) if (argv[i].startsWith('--')) out[argv[i].slice(2)] = argv[i + 1]?.startsWith('--') ? true : argv[++i];
  return out;
}
