/**
 * Rendered resources as JSON text, so that a read of an unchanged resource with the same projection and base URL
 * does not render and serialise it again; and, once asked for, as that text's UTF-8 bytes, so that a repeated read
 * is not encoded again either (the HTTP layer sends the bytes as they are, and the journal copies them).
 *
 * Keyed by resource type, id, version, projection and base URL. A rendering also depends on other resources
 * (User.groups lists the groups that contain the user, directly or not, with their displayName; a member's
 * display comes from the member), so the whole cache is invalidated by every change of the store, not only by
 * changes of the rendered resource: it serves the reads between two writes. Bounded in entries and in characters
 * plus bytes (oldest first out); a text larger than an eighth of the budget is not kept.
 */
interface Rendering {
  text: string;
  bytes: Uint8Array | undefined;
}

const UTF8 = new TextEncoder();

/**
 * The byte arrays bytes() has handed out: never written after they were made, so a reader that would copy a chunk
 * it cannot trust (the journal's capture of a response) may keep a reference instead.
 */
const unchangingBytes = new WeakSet<Uint8Array>();

/** Whether `bytes` is a rendering's encoding from a RenderCache, which nobody writes to. */
export function isUnchangingRendering(bytes: Uint8Array): boolean {
  return unchangingBytes.has(bytes);
}

export class RenderCache {
  private readonly renderings = new Map<string, Rendering>();
  /**
   * Values computed from the store besides renderings, per stored resource object (a User's version with its
   * groups): keyed by the object, so a read finds it without building a key; at most maxEntries, like the renderings
   * (a scan renders every resource it returns).
   */
  private readonly derivedValues = new Map<object, unknown>();
  /** Characters of the kept texts plus bytes of their kept encodings. */
  private weight = 0;
  private stale = false;

  constructor(
    readonly maxEntries = 4096,
    readonly maxChars = 4 * 1024 * 1024,
  ) {}

  /** Everything rendered so far may be out of date (the store changed). O(1); the entries go on the next use. */
  invalidate(): void {
    this.stale = true;
  }

  private basis: unknown;

  /** Renderings depend on this value too (the service's capabilities object): a different one invalidates. */
  basedOn(value: unknown): void {
    if (value !== this.basis) {
      this.basis = value;
      this.stale = true;
    }
  }

  get size(): number {
    return this.stale ? 0 : this.renderings.size;
  }

  get(key: string): string | undefined {
    if (this.stale) this.drop();
    return this.renderings.get(key)?.text;
  }

  /**
   * The UTF-8 bytes of the text kept under `key` (encoded on first use and kept with it; read-only to callers),
   * or of `text` when the cache does not keep it.
   */
  bytes(key: string, text: string): Uint8Array {
    if (this.stale) this.drop();
    const rendering = this.renderings.get(key);
    if (rendering === undefined || rendering.text !== text) return UTF8.encode(text);
    let bytes = rendering.bytes;
    if (bytes === undefined) {
      bytes = rendering.bytes = UTF8.encode(text);
      unchangingBytes.add(bytes);
      this.weight += bytes.length;
      while (this.weight > this.maxChars) this.dropOldest();
    }
    return bytes;
  }

  /** What was kept for this stored object since the store last changed (see keepDerived). */
  derivedOf(of: object): unknown {
    if (this.stale) this.drop();
    return this.derivedValues.get(of);
  }

  /** Keeps a value computed from the store for this stored object until the store changes. */
  keepDerived(of: object, value: unknown): void {
    if (this.stale) this.drop();
    if (this.derivedValues.size >= this.maxEntries) this.derivedValues.clear();
    this.derivedValues.set(of, value);
  }

  set(key: string, text: string): void {
    if (this.stale) this.drop();
    if (text.length > this.maxChars / 8) return;
    const previous = this.renderings.get(key);
    if (previous !== undefined) {
      this.weight -= sizeOf(previous);
      this.renderings.delete(key);
    }
    while (this.renderings.size > 0 && (this.renderings.size >= this.maxEntries || this.weight + text.length > this.maxChars)) this.dropOldest();
    this.renderings.set(key, { text, bytes: undefined });
    this.weight += text.length;
  }

  private dropOldest(): void {
    const [oldest, rendering] = this.renderings.entries().next().value as [string, Rendering];
    this.renderings.delete(oldest);
    this.weight -= sizeOf(rendering);
  }

  private drop(): void {
    this.renderings.clear();
    this.derivedValues.clear();
    this.weight = 0;
    this.stale = false;
  }
}

function sizeOf(rendering: Rendering): number {
  return rendering.text.length + (rendering.bytes?.length ?? 0);
}
