/**
 * Where the journal keeps the text of its entries: UTF-8 bytes on pages outside the V8 heap.
 *
 * A journal holds thousands of entries for as long as it takes the next thousands of requests to push them out:
 * every entry outlives the young generation. Kept as strings and arrays, each entry was a dozen heap objects that
 * the collector copied on promotion and marked on every full collection, in proportion to everything else the
 * heap held (a 100,000-user directory's list requests ran 13 % slower than a 10,000-user one's with the journal
 * on, 3 % with it off). Kept as bytes, an entry is one small object on the heap and a range of a page; the
 * collector neither copies nor marks the bytes.
 *
 * Entries are written one after the other on the current page; an entry's texts are never split across pages.
 * A page is freed with its Buffer once no held entry (nor an entry a reader still keeps) refers to it: pages are
 * released in the order they were filled, as the journal evicts oldest first. An entry too large for a page
 * share gets a page of its own, of its exact size. Texts are kept as UTF-8, as they went over the wire: a lone
 * surrogate (which no UTF-8 text holds; only a caller of record() can pass one) reads back as U+FFFD.
 */

/**
 * Bytes per shared page: large enough for a hundred typical entries, small enough that a page kept alive by one old
 * entry costs little.
 */
export const PAGE_BYTES = 256 * 1024;
/** An entry that may need more than this gets a page of its own. */
const OWN_PAGE_ABOVE = PAGE_BYTES / 4;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_PER_UNIT = 3;

export class EntryPages {
  /** The shared page being filled, and how much of it is. */
  private page: Buffer | undefined;
  private filled = 0;
  /** Where put() writes: the shared page or an entry's own. */
  private target: Buffer = EMPTY_PAGE;
  private at = 0;

  /**
   * Makes room for these texts, written one after the other with put(); returns the page they go on and sets where
   * the first one starts (`offset`).
   */
  reserve(texts: readonly string[]): Buffer {
    let units = 0;
    for (let i = 0; i < texts.length; i++) units += texts[i]!.length;
    let need = units * MAX_UTF8_PER_UNIT;
    if (need > OWN_PAGE_ABOVE) {
      need = 0;
      for (let i = 0; i < texts.length; i++) need += Buffer.byteLength(texts[i]!, 'utf8');
      if (need > OWN_PAGE_ABOVE) return this.use(Buffer.allocUnsafeSlow(need), 0);
    }
    if (this.page === undefined || this.filled + need > this.page.length) {
      this.page = Buffer.allocUnsafeSlow(PAGE_BYTES);
      this.filled = 0;
    }
    return this.use(this.page, this.filled);
  }

  /** Where the next put() writes on the page reserve() returned. */
  get offset(): number {
    return this.at;
  }

  /** Writes one of the reserved texts after the previous one; returns where it ends. */
  put(text: string): number {
    if (text.length > 0) {
      this.at += this.target.write(text, this.at, 'utf8');
      if (this.target === this.page) this.filled = this.at;
    }
    return this.at;
  }

  /** Lets go of the page being filled (the journal was cleared: its pages may be freed). */
  release(): void {
    this.page = undefined;
    this.filled = 0;
    this.target = EMPTY_PAGE;
    this.at = 0;
  }

  private use(page: Buffer, at: number): Buffer {
    this.target = page;
    this.at = at;
    return page;
  }
}

const EMPTY_PAGE = Buffer.alloc(0);
