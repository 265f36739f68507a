import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { emailSender } from '../../../activities/email';
import { trackEmailLinks, trackSmsLinks, type LinkTracker } from '../../../activities/link-tracking';
import { createTwilioClient, smsSender } from '../../../activities/sms';
import { builtInTemplates, renderEmail } from '../../../activities/templates';
import {
  decodeHtmlAttribute,
  linksOf,
  rewriteHtmlLinks,
  rewriteTextLinks,
  withOpenPixel,
} from '../../../activities/templates/link-rewriting';
import { fitsOneSegment } from '../../../activities/templates/sms-length';
import type { Profile } from '../../../platform/db/profiles';
import type { LinkTarget } from '../../../platform/db/tracked-links';

/** A tracker that records what it was asked and answers predictable URLs. */
function fakeTracker(base = 'https://t.example') {
  const asked: LinkTarget[] = [];
  const track: LinkTracker = (targets) => {
    asked.push(...targets);
    return Promise.resolve(
      targets.map((target) =>
        target.kind === 'click'
          ? `${base}/c/${Buffer.from(target.url).toString('base64url').slice(-12)}.k1.${'s'.repeat(16)}`
          : target.kind === 'open'
            ? `${base}/o/open.k1.${'s'.repeat(16)}`
            : `${base}/u/unsub-${target.scope}.k1.${'s'.repeat(16)}`,
      ),
    );
  };
  return { track, asked };
}

describe('link rewriting', () => {
  it('rewrites http(s) hrefs as the browser reads them, escaped back, and leaves other links alone', () => {
    const html =
      '<a href="https://shop.example/p?a&#x3D;1&amp;b&#x3D;2">P</a> <a class="x" href=\'http://shop.example/q\'>Q</a>' +
      ' <a href="mailto:help@shop.example">M</a> <a href="#top">T</a>';
    const seen: string[] = [];
    const rewritten = rewriteHtmlLinks(html, (url) => {
      seen.push(url);
      return `https://t.example/c/${seen.length}?x="y"`;
    });
    assert.deepEqual(seen, ['https://shop.example/p?a=1&b=2', 'http://shop.example/q']);
    assert.equal(
      rewritten,
      '<a href="https://t.example/c/1?x=&quot;y&quot;">P</a> ' +
        '<a class="x" href=\'https://t.example/c/2?x=&quot;y&quot;\'>Q</a>' +
        ' <a href="mailto:help@shop.example">M</a> <a href="#top">T</a>',
    );
    assert.equal(decodeHtmlAttribute('a&lt;b&#60;&#x3c;&unknown;'), 'a<b<<&unknown;');
  });

  it('rewrites bare URLs of plain text, without the punctuation that ends a sentence', () => {
    const text = 'See https://shop.example/new. Or (https://shop.example/a_(b)), then http://x.example/?q=1!';
    assert.deepEqual(linksOf({ text }), [
      'https://shop.example/new',
      'https://shop.example/a_(b)',
      'http://x.example/?q=1',
    ]);
    assert.equal(
      rewriteTextLinks(text, (url) => (url.includes('x.example') ? undefined : '[T]')),
      'See [T]. Or ([T]), then http://x.example/?q=1!',
    );
  });

  it('puts the open pixel before the end of the body, or at the end when there is none', () => {
    const pixel = 'https://t.example/o/tok';
    assert.match(
      withOpenPixel('<html><body><p>x</p></body></html>', pixel),
      /<p>x<\/p><img src="https:\/\/t\.example\/o\/tok" width="1" height="1" alt=""[^>]*><\/body><\/html>$/,
    );
    assert.match(withOpenPixel('<p>x</p>', pixel), /^<p>x<\/p><img src="https:\/\/t\.example\/o\/tok"/);
  });
});

describe('tracked links in a rendered message', () => {
  const profile = { firstName: 'Ann' } as Profile;

  it('an email: every link but the unsubscribe link becomes a click redirect, the pixel is added', async () => {
    const unsubscribeUrl = 'https://t.example/u/unsub-email.k1.ssssssssssssssss';
    const email = renderEmail(
      { id: 'browse-reminder', products: [{ productId: 'p', name: 'Lamp', url: 'https://shop.example/p?a=1&b=2' }] },
      { firstName: 'Ann', storeUrl: 'https://shop.example', unsubscribeUrl },
    );
    const { track, asked } = fakeTracker();
    const tracked = await trackEmailLinks(email, unsubscribeUrl, track);
    assert.deepEqual(asked, [
      { kind: 'click', url: 'https://shop.example/p?a=1&b=2' },
      { kind: 'click', url: 'https://shop.example' },
      { kind: 'open' },
    ]);
    assert.equal(tracked.subject, email.subject);
    const hrefs = [...tracked.html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]);
    assert.equal(hrefs.length, 3);
    assert.ok(
      hrefs.slice(0, 2).every((href) => href?.startsWith('https://t.example/c/')),
      hrefs.join(),
    );
    assert.equal(hrefs[2], unsubscribeUrl);
    assert.match(tracked.html, /<img src="https:\/\/t\.example\/o\/open\.k1\.s{16}"[^>]*><\/body>/);
    assert.doesNotMatch(tracked.text + tracked.html, /shop\.example/, 'no untracked link is left');
    assert.match(tracked.text, /Unsubscribe: https:\/\/t\.example\/u\/unsub-email\.k1\.s{16}/);
  });

  it('the email sender renders the signed unsubscribe link into both parts and keeps it for the header', async () => {
    const sender = emailSender({
      mailer: nodemailer.createTransport({ jsonTransport: true }),
      from: 'Shop <shop@example.test>',
      messageIdDomain: 'example.test',
      storeUrl: 'https://shop.example',
    });
    const { track } = fakeTracker();
    const request = {
      idempotencyKey: 'k',
      campaign: 'churn-retention',
      customerId: 'secret-customer-7',
      step: 'day-0',
      atMs: 0,
      template: { id: 'churn-winback' as const },
    };
    const content = await sender.render(request, profile, builtInTemplates()['churn-winback'], track);
    assert.equal(content.unsubscribeUrl, 'https://t.example/u/unsub-email.k1.ssssssssssssssss');
    assert.ok(content.text.includes(content.unsubscribeUrl) && content.html.includes(content.unsubscribeUrl));
    assert.doesNotMatch(JSON.stringify(content), /secret-customer-7/, 'no URL names the customer');
  });

  it('an SMS: the link becomes a short redirect when the text still fits in one segment', async () => {
    const sent = 'Ann, your cart (2 items) is saved: https://shop.example/cart Reply STOP to opt out';
    const { track, asked } = fakeTracker();
    const tracked = await trackSmsLinks(sent, sent, track);
    assert.deepEqual(asked, [{ kind: 'click', url: 'https://shop.example/cart' }]);
    assert.match(tracked, /^Ann, your cart \(2 items\) is saved: https:\/\/t\.example\/c\/\S+ Reply STOP to opt out$/);
  });

  it('an SMS that tracking would push past one segment goes out as rendered, its link untracked', async () => {
    const words = 'x'.repeat(100);
    const sent = `${words} https://shop.example/cart Reply STOP to opt out`;
    assert.ok(fitsOneSegment(sent));
    const { track } = fakeTracker(`https://${'t'.repeat(40)}.example`);
    assert.equal(await trackSmsLinks(sent, sent, track), sent);
  });

  it('an SMS link the renderer cut short is left as it is', async () => {
    const written = 'Hello https://shop.example/a-very-long-path Reply STOP to opt out';
    const sent = 'Hello https://shop.example/a-ve... Reply STOP to opt out';
    const { track, asked } = fakeTracker();
    assert.equal(await trackSmsLinks(sent, written, track), sent);
    assert.deepEqual(asked, []);
  });

  it('the SMS sender renders with its links tracked', async () => {
    const settings = {
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'token-token',
      from: '+15005550006',
      storeUrl: 'https://shop.example',
    };
    const sender = smsSender(settings, createTwilioClient(settings));
    const { track } = fakeTracker('https://t.example');
    const text = await sender.render(
      {
        idempotencyKey: 'k',
        campaign: 'cart-abandonment',
        customerId: 'c',
        step: 'reminder-2',
        atMs: 0,
        template: { id: 'cart-sms', items: [{ productId: 'p', name: 'Mug', quantity: 1, price: 1 }] },
      },
      profile,
      builtInTemplates()['cart-sms'],
      track,
    );
    assert.match(text, /^Ann, your cart \(1 item\) is saved: https:\/\/t\.example\/c\/\S+ Reply STOP to opt out$/);
    assert.ok(fitsOneSegment(text));
  });
});
