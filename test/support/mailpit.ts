import { stackEnv } from './services';

export interface MailpitMessage {
  ID: string;
  MessageID: string;
  Subject: string;
  To: Array<{ Address: string }>;
  /** The start of the text body. */
  Snippet: string;
}

/** Messages in Mailpit addressed to one recipient. */
export async function messagesTo(address: string): Promise<MailpitMessage[]> {
  const url = `${stackEnv.mailpitApi}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=1000`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`Mailpit search failed: HTTP ${response.status}`);
  const body = (await response.json()) as { messages: MailpitMessage[] };
  return body.messages;
}

export async function messageHeaders(id: string): Promise<Record<string, string[]>> {
  const response = await fetch(`${stackEnv.mailpitApi}/api/v1/message/${id}/headers`);
  if (!response.ok) throw new Error(`Mailpit headers failed: HTTP ${response.status}`);
  return (await response.json()) as Record<string, string[]>;
}

export async function messageText(id: string): Promise<string> {
  const response = await fetch(`${stackEnv.mailpitApi}/api/v1/message/${id}`);
  if (!response.ok) throw new Error(`Mailpit message failed: HTTP ${response.status}`);
  return ((await response.json()) as { Text: string }).Text;
}
