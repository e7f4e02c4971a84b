/**
 * A Server-Sent Events parser (the text/event-stream format of the HTML standard), fed text as it arrives.
 * Pure: no DOM, no node; the dashboard uses it on a fetch() body (EventSource cannot send the control token) and
 * the typed client (src/client.ts) for requests.stream().
 */
import type { JournalStreamEvent, StreamedJournalEntry } from '../journal/stream.js';

export interface SseEvent {
  /** "message" when the event has no `event:` field. */
  event: string;
  data: string;
  /** The last `id:` seen (it carries over to later events, as in EventSource). */
  id: string;
  retry?: number;
}

export class SseParser {
  private buffer = '';
  /** Where the search for the next line end resumes (the buffer before it holds none). */
  private scanned = 0;
  private afterCr = false;
  private data: string[] = [];
  private event = '';
  private lastId = '';
  private retry: number | undefined;

  /** Feeds a piece of the stream; returns the events it completed. */
  push(text: string): SseEvent[] {
    // The last piece ended with CR: an LF starting this one is the second half of that CRLF.
    if (this.afterCr && text.charCodeAt(0) === 10) text = text.slice(1);
    this.afterCr = false;
    this.buffer += text;
    const out: SseEvent[] = [];
    let start = 0;
    for (;;) {
      let end = -1;
      for (let i = Math.max(start, this.scanned); i < this.buffer.length; i++) {
        const c = this.buffer.charCodeAt(i);
        if (c === 10 || c === 13) {
          end = i;
          break;
        }
      }
      if (end < 0) {
        this.scanned = this.buffer.length;
        break;
      }
      const line = this.buffer.slice(start, end);
      const cr = this.buffer.charCodeAt(end) === 13;
      start = end + (cr && this.buffer.charCodeAt(end + 1) === 10 ? 2 : 1);
      if (cr && end === this.buffer.length - 1) this.afterCr = true;
      const event = this.line(line);
      if (event) out.push(event);
    }
    this.buffer = this.buffer.slice(start);
    this.scanned = Math.max(0, this.scanned - start);
    return out;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return undefined;
      }
      const event: SseEvent = { event: this.event || 'message', data: this.data.join('\n'), id: this.lastId };
      if (this.retry !== undefined) event.retry = this.retry;
      this.data = [];
      this.event = '';
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.lastId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    return undefined;
  }
}

/** An event of GET /requests/stream as the typed client and the dashboard see it; undefined for unknown events. */
export function journalStreamEvent(e: SseEvent): JournalStreamEvent | undefined {
  const data = JSON.parse(e.data) as Record<string, unknown>;
  if (e.event === 'message') return { type: 'entry', entry: data as unknown as StreamedJournalEntry };
  if (e.event === 'hello' || e.event === 'stats' || e.event === 'cleared' || e.event === 'dropped') return { type: e.event, ...data } as JournalStreamEvent;
  return undefined;
}
