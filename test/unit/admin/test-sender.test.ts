import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { previewUnsubscribeUrl } from '../../../activities/link-tracking';
import { builtInTemplates } from '../../../activities/templates';
import { renderMessage } from '../../../activities/templates/message';
import { SAMPLE_DATA } from '../../../activities/templates/samples';
import { createTestSender } from '../../../admin/test-sender';

const links = { storeUrl: 'https://shop.example', unsubscribeUrl: previewUnsubscribeUrl('https://t.example/') };

describe('previews and test sends', () => {
  it('render the placeholder unsubscribe link, which names no customer and no message', () => {
    assert.equal(links.unsubscribeUrl, 'https://t.example/u/preview');
    const message = renderMessage({ id: 'cart-reminder', ...SAMPLE_DATA }, builtInTemplates()['cart-reminder'], links, {
      firstName: 'Ann',
    });
    assert.equal(message.channel, 'email');
    if (message.channel !== 'email') return;
    assert.match(message.text, /Unsubscribe: https:\/\/t\.example\/u\/preview\n/);
    assert.match(message.html, /<a href="https:\/\/t\.example\/u\/preview">Unsubscribe<\/a>/);
    assert.doesNotMatch(message.html, /\/[cos]\/[A-Za-z0-9_-]{12}\./, 'no tracked link: a preview stores no row');
  });

  it('an email test send carries the placeholder, its links untracked, and no customer ID header', async () => {
    const mailer = nodemailer.createTransport({ jsonTransport: true });
    let sent = '';
    const recording = Object.assign(Object.create(mailer) as typeof mailer, {
      sendMail: async (mail: Parameters<typeof mailer.sendMail>[0]) => {
        const info = (await mailer.sendMail(mail)) as { message: string; messageId: string };
        sent = info.message;
        return info;
      },
    });
    const sender = createTestSender(
      {
        mailer: recording,
        from: 'Shop <shop@example.test>',
        messageIdDomain: 'example.test',
        storeUrl: links.storeUrl,
      },
      null,
      (id) => Promise.resolve(builtInTemplates()[id]),
      links,
    );
    const result = await sender.send({
      campaign: 'cart-abandonment',
      customerId: 'secret-customer-9',
      template: 'cart-reminder',
      to: 'ops@example.test',
      firstName: 'Ann',
    });
    assert.equal(result.channel, 'email');
    const mail = JSON.parse(sent) as { text: string; html: string; headers: Record<string, string> };
    assert.match(mail.text, /Unsubscribe: https:\/\/t\.example\/u\/preview/);
    assert.match(mail.html, /href="https:\/\/shop\.example\/cart"/);
    assert.doesNotMatch(sent, /secret-customer-9/);
    assert.equal(mail.headers['X-Campaign-Test'], 'true');
  });
});
