/** Reads what customers received: email from Mailpit's API, SMS from the Twilio sandbox's inbox. */

export interface ReceivedEmail {
  id: string;
  messageId: string;
  subject: string;
  snippet: string;
}
export interface ReceivedText {
  sid: string;
  body: string;
  receivedAt: string;
}

export async function emailsTo(mailpitUrl: string, address: string): Promise<ReceivedEmail[]> {
  const response = await fetch(`${mailpitUrl}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=500`);
  if (!response.ok) throw new Error(`Mailpit at ${mailpitUrl} answered HTTP ${response.status} to a search`);
  const { messages } = (await response.json()) as {
    messages: Array<{ ID: string; MessageID: string; Subject: string; Snippet: string }>;
  };
  return messages.map((message) => ({
    id: message.ID,
    messageId: message.MessageID,
    subject: message.Subject,
    snippet: message.Snippet,
  }));
}

export async function textsTo(sandboxUrl: string, phone: string): Promise<ReceivedText[]> {
  const response = await fetch(`${sandboxUrl}/sandbox/messages`);
  if (!response.ok) throw new Error(`the Twilio sandbox at ${sandboxUrl} answered HTTP ${response.status}`);
  const { messages } = (await response.json()) as { messages: Array<ReceivedText & { to: string }> };
  return messages
    .filter((message) => message.to === phone)
    .map(({ sid, body, receivedAt }) => ({ sid, body, receivedAt }));
}

/** Mailpit's web UI, searching one recipient's mail. */
export function mailboxUrl(mailpitUrl: string, address: string): string {
  return `${mailpitUrl}/search?q=${encodeURIComponent(`to:"${address}"`)}`;
}
