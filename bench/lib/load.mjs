/** Throughput runs with autocannon's programmatic API (in this process, which is pinned to core 1). */
import autocannon from 'autocannon';

/**
 * One autocannon run. `requests` is a list of { method, path, headers?, body?, setupRequest? } cycled by every
 * connection (setupRequest rebuilds a request each time: W4's unique userNames); `amount` stops it after that many
 * requests instead of after `duration` seconds.
 * Resolves { rps, p50, p99, total, non2xx, errors, timeouts }.
 */
export async function load({ origin, connections = 32, duration, amount, requests, headers = {} }) {
  const result = await autocannon({
    url: origin,
    connections,
    // `amount` (a number of requests) instead of `duration` when given.
    ...(amount ? { amount } : { duration }),
    requests,
    headers,
    timeout: 30,
  });
  const seconds = result.duration || duration;
  return {
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
