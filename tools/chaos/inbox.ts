import type { TwilioSandbox } from '../sandbox/twilio-sandbox';
import type { ChaosCustomer } from './cast';

/** Whose messages to collect: any run's customers (the chaos cast, the fuzzer's customers). */
export type Recipient = Pick<ChaosCustomer, 'customerId' | 'email' | 'phone'>;

export interface Delivery {
  channel: 'email' | 'sms';
  at: number;
  id: string;
  /** An SMS's text. */ text?: string;
}

interface MailpitPage {
  messages: Array<{ To: Array<{ Address: string }>; Created: string; MessageID: string }>;
  messages_count: number;
}

const PAGE = 1000;

/**
 * Every message the run's customers received, by customer: email from Mailpit's API (Created is
 * when Mailpit received it), SMS from the in-process Twilio sandbox.
 */
export class Inbox {
  private readonly byEmail: Map<string, Recipient>;
  private readonly byPhone: Map<string, Recipient>;

  constructor(
    private readonly mailpitUrl: string,
    private readonly domain: string,
    private readonly sms: TwilioSandbox,
    customers: Recipient[],
  ) {
    this.byEmail = new Map(customers.map((customer) => [customer.email, customer]));
    this.byPhone = new Map(
      customers.flatMap((customer) => (customer.phone ? [[customer.phone, customer] as const] : [])),
    );
  }

  async read(): Promise<Map<string, Delivery[]>> {
    const deliveries = new Map<string, Delivery[]>();
    const add = (customer: Recipient | undefined, delivery: Delivery) => {
      if (!customer) return;
      const list = deliveries.get(customer.customerId) ?? [];
      list.push(delivery);
      deliveries.set(customer.customerId, list);
    };
    for (const email of await this.emails()) {
      for (const to of email.To)
        add(this.byEmail.get(to.Address), { channel: 'email', at: Date.parse(email.Created), id: email.MessageID });
    }
    for (const text of this.sms.messages)
      add(this.byPhone.get(text.to), {
        channel: 'sms',
        at: Date.parse(text.receivedAt),
        id: text.sid,
        text: text.body,
      });
    return deliveries;
  }

  private async emails(): Promise<MailpitPage['messages']> {
    const found: MailpitPage['messages'] = [];
    const query = encodeURIComponent(`to:"${this.domain}"`);
    for (let start = 0; start < 1_000_000; start += PAGE) {
      const response = await fetch(`${this.mailpitUrl}/api/v1/search?query=${query}&start=${start}&limit=${PAGE}`, {
        signal: AbortSignal.timeout(30_000),
      });
      if (!response.ok) throw new Error(`Mailpit search failed: HTTP ${response.status} ${await response.text()}`);
      const page = (await response.json()) as MailpitPage;
      found.push(...page.messages);
      if (page.messages.length < PAGE || start + PAGE >= page.messages_count) break;
    }
    return found;
  }
}
