/**
 * "Copy as curl": a journal entry as the curl command that sends the same request again. Pure, so it is unit
 * tested in node. Credentials were redacted when the entry was recorded; the command puts shell variables in
 * their place ($TOKEN for a bearer token, $CREDENTIALS for anything else, $CLIENT_SECRET for that form field), and
 * password values in JSON stay "[REDACTED]".
 */
import type { JournalEntry } from '../journal/journal.js';

/**
 * Headers curl sets itself, or that describe one particular connection; and Content-Encoding: the journal keeps the
 * body decoded (what a gzip body said), and the command sends that text as it is.
 */
const SKIPPED = new Set(['host', 'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'accept-encoding', 'te', 'upgrade', 'expect', 'content-encoding']);

/** Quotes for a POSIX shell: 'it'\''s'. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function headerValue(name: string, value: string): string {
  if (!value.includes('[REDACTED]')) return shellQuote(`${name}: ${value}`);
  const bearer = /^bearer\s/i.test(value);
  // Double quotes so the shell expands the variable; the rest of the value is plain ASCII here.
  const scheme = /^([A-Za-z][\w.+-]*)\s+\[REDACTED\]$/.exec(value);
  const replaced = bearer ? `${scheme ? scheme[1] : 'Bearer'} $TOKEN` : scheme ? `${scheme[1]} $CREDENTIALS` : '$CREDENTIALS';
  return `"${name}: ${replaced.replace(/["\\`]/g, '\\$&')}"`;
}

function queryString(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== undefined && v !== null) params.append(key, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The curl command for `entry`, sent to `origin` (e.g. "http://127.0.0.1:8080"). */
export function curlCommand(entry: Pick<JournalEntry, 'method' | 'path' | 'query' | 'requestHeaders' | 'requestBody' | 'requestBodyBase64'>, origin: string): string {
  const parts = ['curl'];
  // Bytes that are not text: decoded from base64 and piped in as they are (a shell string cannot hold a NUL byte).
  const binary = entry.requestBodyBase64;
  // HEAD with --head: with -X HEAD curl waits for the body the Content-Length announces, which never comes.
  if (entry.method === 'HEAD') parts.push('--head');
  else if (entry.method !== 'GET' || entry.requestBody !== null) parts.push('-X', entry.method);
  parts.push(shellQuote(`${origin}${entry.path}${queryString(entry.query)}`));
  for (const [name, raw] of Object.entries(entry.requestHeaders)) {
    if (SKIPPED.has(name.toLowerCase())) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) parts.push('-H', headerValue(name, value));
  }
  const contentType = Object.entries(entry.requestHeaders).find(([n]) => n.toLowerCase() === 'content-type')?.[1];
  const body = entry.requestBody;
  if (body !== null && typeof body === 'object' && !Array.isArray(body) && /^\s*application\/x-www-form-urlencoded/i.test(String(contentType))) {
    // A form (the OAuth 2.0 token request): the journal holds its fields, sent again as a form; a redacted secret
    // comes from a shell variable named after the field ($CLIENT_SECRET).
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v === '[REDACTED]') parts.push('--data-urlencode', `"${key.replace(/["\\`$]/g, '\\$&')}=$${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}"`);
        else parts.push('--data-urlencode', shellQuote(`${key}=${typeof v === 'string' ? v : JSON.stringify(v)}`));
      }
    }
  } else if (binary !== undefined) {
    if (contentType === undefined) parts.push('-H', shellQuote('Content-Type:'));
    parts.push('--data-binary', '@-');
    return `printf '%s' ${shellQuote(binary)} | base64 -d | ${parts.join(' ')}`;
  } else if (body !== null && body !== undefined) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    // Without a Content-Type of its own curl would send application/x-www-form-urlencoded: the header empty sends none.
    if (contentType === undefined) parts.push('-H', shellQuote('Content-Type:'));
    parts.push('--data-raw', shellQuote(text));
  }
  return parts.join(' ');
}
