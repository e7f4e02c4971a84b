/**
 * Rendered resources as JSON text, so that a read of an unchanged resource with the same projection and base URL
 * does not render and serialise it again.
 *
 * Keyed by resource type, id, version, projection and base URL. A rendering also depends on other resources
 * (User.groups lists the groups that contain the user, directly or not, with their displayName; a member's
 * display comes from the member), so the whole cache is invalidated by every change of the store, not only by
 * changes of the rendered resource: it serves the reads between two writes. Bounded in entries and characters
 * (oldest first out); a text larger than an eighth of the budget is not kept.
 */
export class RenderCache {
  private readonly texts = new Map<string, string>();
  private chars = 0;
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
    return this.stale ? 0 : this.texts.size;
  }

  get(key: string): string | undefined {
    if (this.stale) this.drop();
    return this.texts.get(key);
  }

  set(key: string, text: string): void {
    if (this.stale) this.drop();
    if (text.length > this.maxChars / 8) return;
    const previous = this.texts.get(key);
    if (previous !== undefined) {
      this.chars -= previous.length;
      this.texts.delete(key);
    }
    while (this.texts.size > 0 && (this.texts.size >= this.maxEntries || this.chars + text.length > this.maxChars)) {
      const [oldest, oldText] = this.texts.entries().next().value as [string, string];
      this.texts.delete(oldest);
      this.chars -= oldText.length;
    }
    this.texts.set(key, text);
    this.chars += text.length;
  }

  private drop(): void {
    this.texts.clear();
    this.chars = 0;
    this.stale = false;
  }
}
