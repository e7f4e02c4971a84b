/** A tiny keep-alive HTTP client for set-up requests and sequential latency measurements. */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** One request: resolves { status, headers, text, json(), ms }. */
export function request(url, { method = 'GET', headers = {}, body, timeoutMs = 120_000, agent: a = agent } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) h['Content-Length'] = Buffer.byteLength(payload);
    const t0 = performance.now();
    const req = http.request(url, { method, headers: h, agent: a }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - t0;
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, text, ms, json: () => JSON.parse(text) });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The "detail" of a SCIM error body (or the start of any body), for n/a reasons. */
export function detailOf(res) {
  try {
    const j = JSON.parse(res.text);
    return String(j.detail ?? j.error ?? j.message ?? res.text).slice(0, 160);
  } catch {
    return res.text.slice(0, 160);
  }
}
