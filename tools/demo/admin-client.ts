/** The admin API as the demo calls it: its address and bearer token, JSON in and out. */
export interface AdminClient {
  request<T>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

export function adminClient(url: string, token: string): AdminClient {
  return {
    async request<T>(method: 'GET' | 'PUT', path: string, body?: unknown) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
  };
}
