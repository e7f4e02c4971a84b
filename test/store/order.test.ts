import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/scim/random.js';
import { USER_SCHEMA_ID } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import type { Resource } from '../../src/scim/validate.js';
import { MemoryStore } from '../../src/store/memory.js';

const user = (id: string, version: number): Resource => ({
  schemas: [USER_SCHEMA_ID],
  id,
  userName: `user-${id}`,
  meta: { resourceType: 'User', created: '2020-01-01T00:00:00.000Z', lastModified: '2020-01-01T00:00:00.000Z', version: `W/"${version}"` },
});

/**
 * The store's array of a type (what a filter scans) against a model: a Map by id, whose iteration order is the
 * creation order the store promises (a replaced resource keeps its place, a removed and re-created one is newest).
 */
function check(store: MemoryStore, model: Map<string, Resource>): void {
  // By id first, while removed ones may still leave holes (all() closes them).
  for (const [id, r] of model) expect(store.get('User', id)).toBe(r);
  const all = store.all('User');
  expect(all.map((r) => `${r.id} ${(r.meta as { version: string }).version}`)).toEqual([...model.values()].map((r) => `${r.id} ${(r.meta as { version: string }).version}`));
  expect(store.count('User')).toBe(model.size);
  const seqs = all.map((r) => store.createdSeq('User', r.id as string));
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
  for (const r of all) expect(store.get('User', r.id as string)).toBe(r);
}

describe('the store keeps resources in creation order', () => {
  it('through creates, replaces, removes (past the compaction threshold) and re-creates, and after a reset', () => {
    const store = new MemoryStore(SchemaRegistry.builtIn());
    const model = new Map<string, Resource>();
    const random = new SeededRandom(7);
    let version = 0;
    const put = (id: string) => {
      const r = user(id, ++version);
      store.put('User', r);
      model.set(id, r);
    };
    for (let i = 0; i < 3000; i++) put(`u${i}`);
    check(store, model);
    const initial = store.snapshot();

    // Random operations, read in between (a read compacts the removed ones away) and not (holes pile up).
    for (let step = 0; step < 6000; step++) {
      const ids = [...model.keys()];
      const pick = ids[Math.floor(random.next() * ids.length)]!;
      const roll = random.next();
      if (roll < 0.45 && ids.length > 0) {
        expect(store.remove('User', pick)).toBe(true);
        model.delete(pick);
      } else if (roll < 0.7) put(pick);
      else if (roll < 0.85) put(`n${step}`);
      else {
        // Re-create a removed id: it becomes the newest.
        const id = `u${Math.floor(random.next() * 3000)}`;
        if (!model.has(id)) put(id);
      }
      if (step % 1500 === 0) check(store, model);
    }
    check(store, model);

    // Removing all but a few in one go (compacts on the way), then the order again.
    for (const id of [...model.keys()].slice(5)) {
      store.remove('User', id);
      model.delete(id);
    }
    check(store, model);

    // A reset to the remembered snapshot, then writes on the shared state copy its array, not the snapshot's.
    store.load(initial);
    const reset = new Map(initial.resources.User!.map((r) => [r.id as string, r]));
    check(store, reset);
    store.remove('User', 'u10');
    reset.delete('u10');
    const r = user('u11', ++version);
    store.put('User', r);
    reset.set('u11', r);
    check(store, reset);
    store.load(initial);
    check(store, new Map(initial.resources.User!.map((x) => [x.id as string, x])));
  });
});
