/**
 * Where the journal keeps the text of its entries: UTF-8 bytes on pages outside the V8 heap, reused.
 *
 * A journal holds thousands of entries for as long as it takes the next thousands of requests to push them out:
 * every entry outlives the young generation. Kept as strings and arrays, each entry was a dozen heap objects that
 * the collector copied on promotion and marked on every full collection, in proportion to everything else the
 * heap held. Kept as bytes, an entry is one small object on the heap and a range of a page.
 *
 * Entries are written one after the other on the current page; an entry's texts are never split across pages.
 * Each page counts the held entries on it; the journal evicts oldest first, so pages empty in the order they
 * were filled, and an empty page is taken again for new entries instead of a new one (allocating a page per
 * hundred requests made V8 run full collections for the memory outside its heap). An entry that is evicted while
 * a reader still keeps its view first copies its texts to a buffer of its own (StoredEntry.evict), so reusing
 * a page never changes what anyone reads. An entry too large for a page share gets a page of its own, of its
 * exact size, which is not reused.
 *
 * Texts are kept as UTF-8, as they went over the wire: a lone surrogate (which no UTF-8 text holds; only a caller
 * of record() can pass one) reads back as U+FFFD.
 */

/** Bytes per shared page at most: large enough for a hundred typical entries. */
export const PAGE_BYTES = 256 * 1024;
/** Bytes per shared page at least (a journal limited to 64 KiB holds a few entries). */
const MIN_PAGE_BYTES = 16 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;
/** Empty pages kept for reuse; more are left to the collector. */
const MAX_SPARE_PAGES = 2;

/** A page: its bytes, and how many held entries have their texts on it. */
export class Page {
  held = 0;
  constructor(readonly bytes: Buffer) {}
}

export class EntryPages {
  /** Bytes per shared page. */
  readonly pageBytes: number;
  /** The shared page being filled, and how much of it is. */
  private page: Page | undefined;
  private filled = 0;
  /** Empty shared pages, to be filled again. */
  private readonly spare: Page[] = [];
  /** Where put() writes: the shared page or an entry's own, and where on it. */
  private target: Page = EMPTY_PAGE;
  private at = 0;
  /** Shared pages made so far (not reused ones). */
  made = 0;

  /** `maxBytes`: the journal's byte limit; a page is a sixteenth of it, within 16 and 256 KiB. */
  constructor(maxBytes = Number.POSITIVE_INFINITY) {
    this.pageBytes = Math.max(MIN_PAGE_BYTES, Math.min(PAGE_BYTES, Math.floor(maxBytes / 16)));
  }

  /**
   * Makes room for these texts and `bytes` more bytes, written one after the other with put() and putBytes(), and
   * counts one more entry on the page they go on: returns that page, and sets where the first starts (`offset`).
   */
  reserve(texts: readonly string[], bytes = 0): Page {
    let units = 0;
    for (let i = 0; i < texts.length; i++) units += texts[i]!.length;
    let need = units * MAX_UTF8_PER_UNIT + bytes;
    const ownAbove = this.pageBytes / 4;
    if (need > ownAbove) {
      need = bytes;
      for (let i = 0; i < texts.length; i++) need += Buffer.byteLength(texts[i]!, 'utf8');
      if (need > ownAbove) return this.use(new Page(Buffer.allocUnsafeSlow(need)), 0);
    }
    if (this.page === undefined || this.filled + need > this.page.bytes.length) this.nextPage();
    return this.use(this.page!, this.filled);
  }

  /** Where the next put() writes on the page reserve() returned. */
  get offset(): number {
    return this.at;
  }

  /** Writes one of the reserved texts after the previous one; returns where it ends. */
  put(text: string): number {
    if (text.length > 0) {
      this.at += this.target.bytes.write(text, this.at, 'utf8');
      if (this.target === this.page) this.filled = this.at;
    }
    return this.at;
  }

  /** Copies reserved bytes after what was written before; returns where they end. */
  putBytes(bytes: Uint8Array): number {
    this.target.bytes.set(bytes, this.at);
    this.at += bytes.length;
    if (this.target === this.page) this.filled = this.at;
    return this.at;
  }

  /** One entry on `page` is no longer held: an emptied shared page is reused once the current one is full. */
  release(page: Page): void {
    if (--page.held === 0 && page !== this.page) this.spareIfShared(page);
  }

  private nextPage(): void {
    const full = this.page;
    let next = this.spare.pop();
    if (next === undefined) {
      next = new Page(Buffer.allocUnsafeSlow(this.pageBytes));
      this.made++;
    }
    this.page = next;
    this.filled = 0;
    if (full !== undefined && full.held === 0) this.spareIfShared(full);
  }

  private spareIfShared(page: Page): void {
    if (page.bytes.length === this.pageBytes && this.spare.length < MAX_SPARE_PAGES) this.spare.push(page);
  }

  private use(page: Page, at: number): Page {
    page.held++;
    this.target = page;
    this.at = at;
    return page;
  }
}

const EMPTY_PAGE = new Page(Buffer.alloc(0));
