/**
 * A Toxiproxy proxy (infra/toxiproxy.sh) in front of a TCP service, adding a round trip: half of it
 * on the way out, half on the way back, on every packet. The benchmark's clients reach Temporal
 * through it to be measured at a real network distance.
 */
export interface LatencyProxy {
  /** host:port to connect to instead of the upstream. */
  address: string;
  remove(): Promise<void>;
}

const API = `http://127.0.0.1:${process.env.TOXIPROXY_PORT ?? '8474'}`;

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${API}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).catch((error: unknown) => {
    throw new Error(`Toxiproxy is not reachable at ${API} (start it: bash infra/toxiproxy.sh): ${String(error)}`);
  });
  if (!response.ok) throw new Error(`Toxiproxy ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

export async function latencyProxy(name: string, upstream: string, roundTripMs: number): Promise<LatencyProxy> {
  await call('DELETE', `/proxies/${name}`).catch(() => undefined);
  const proxy = (await call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, enabled: true })) as {
    listen: string;
  };
  for (const stream of ['upstream', 'downstream'])
    await call('POST', `/proxies/${name}/toxics`, {
      name: `latency-${stream}`,
      type: 'latency',
      stream,
      toxicity: 1,
      attributes: { latency: roundTripMs / 2, jitter: 0 },
    });
  return { address: proxy.listen, remove: async () => void (await call('DELETE', `/proxies/${name}`)) };
}
