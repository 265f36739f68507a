export interface DeliveredEmail {
  to: string;
  createdAt: number;
}

/** Every message in Mailpit matching a search, paged; Created is Mailpit's receive time (ms). */
export async function searchMailpit(mailpitUrl: string, query: string): Promise<DeliveredEmail[]> {
  const found: DeliveredEmail[] = [];
  for (let start = 0; ; start += 1000) {
    const response = await fetch(
      `${mailpitUrl}/api/v1/search?query=${encodeURIComponent(query)}&start=${start}&limit=1000`,
    );
    if (!response.ok) throw new Error(`Mailpit search failed: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as {
      messages: Array<{ To: Array<{ Address: string }>; Created: string }>;
      messages_count: number;
    };
    for (const message of page.messages)
      found.push({ to: message.To[0]?.Address ?? '', createdAt: Date.parse(message.Created) });
    if (page.messages.length < 1000 || start + 1000 >= page.messages_count) return found;
  }
}
