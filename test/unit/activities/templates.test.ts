import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderEmail, renderSms, SMS_GSM7_LIMIT, SMS_UCS2_LIMIT } from '../../../activities/templates';

const context = {
  firstName: 'Ann',
  storeUrl: 'https://shop.example',
  unsubscribeUrl: 'https://t.shop.example/u/AbCdEfGhIjKl.k1.0123456789abcdef',
};
const item = (index: number) => ({ productId: `p${index}`, name: `Item ${index}`, quantity: 1, price: 10 });

describe('message templates', () => {
  it('greets by first name and prices cart items in the cart currency', () => {
    const email = renderEmail(
      { id: 'cart-reminder', items: [{ productId: 'p', name: 'Mug', quantity: 2, price: 12.5 }], currency: 'EUR' },
      context,
    );
    assert.equal(email.subject, 'Ann, you left something in your cart');
    assert.match(email.text, /2 × Mug \(€12\.50\)/);
  });

  it('puts an unsubscribe link in both parts of every email', () => {
    for (const id of ['cart-reminder', 'cart-final', 'browse-reminder', 'churn-winback', 'churn-final'] as const) {
      const email = renderEmail(
        { id, items: [item(1)], products: [{ productId: 'p', name: 'Lamp' }], incentiveCode: 'X' },
        context,
      );
      assert.match(email.text, /Unsubscribe: https:\/\/t\.shop\.example\/u\/AbCdEfGhIjKl\.k1\.0123456789abcdef\n/, id);
      assert.match(email.html, /href="https:\/\/t\.shop\.example\/u\/AbCdEfGhIjKl\.k1\.0123456789abcdef"/, id);
    }
  });

  it('escapes hostile names in the HTML part and drops non-http links', () => {
    const email = renderEmail(
      {
        id: 'browse-reminder',
        products: [{ productId: 'p', name: '<script>alert(1)</script>', url: 'javascript:alert(1)' }],
      },
      { ...context, firstName: '<img src=x onerror=alert(1)>' },
    );
    assert.doesNotMatch(email.html, /<script>|<img|javascript:/);
    assert.match(email.html, /&lt;script&gt;/);
  });

  it('lists at most five items and says how many more', () => {
    const email = renderEmail(
      { id: 'cart-reminder', items: [1, 2, 3, 4, 5, 6, 7].map(item) },
      { ...context, firstName: null },
    );
    assert.match(email.text, /Item 5/);
    assert.doesNotMatch(email.text, /Item 6/);
    assert.match(email.text, /and 2 more/);
    assert.equal(email.subject, 'You left something in your cart');
  });

  it('keeps header injection out of the subject', () => {
    const email = renderEmail(
      { id: 'cart-reminder', items: [item(1)] },
      { ...context, firstName: 'Ann\r\nBcc: victim@example.com' },
    );
    assert.doesNotMatch(email.subject, /[\r\n]/);
  });

  it('fits an SMS in one GSM-7 segment, or one UCS-2 segment when the text needs it', () => {
    const plain = renderSms({ id: 'cart-sms', items: [item(1)] }, { ...context, firstName: 'A'.repeat(200) });
    assert.ok(
      plain.length <= SMS_GSM7_LIMIT && plain.endsWith('Reply STOP to opt out') && !plain.includes('AAA'),
      plain,
    );
    const unicode = renderSms({ id: 'cart-sms', items: [item(1)] }, { ...context, firstName: '李'.repeat(100) });
    assert.ok(
      unicode.length <= SMS_GSM7_LIMIT && !unicode.includes('李'),
      'a name that does not fit is dropped, and with it the UCS-2 encoding',
    );
    const unicodeFits = renderSms(
      { id: 'churn-offer-sms', incentiveCode: 'X' },
      { ...context, firstName: '李', storeUrl: 's.cn' },
    );
    assert.ok(unicodeFits.length <= SMS_UCS2_LIMIT && unicodeFits.startsWith('李'), unicodeFits);
    const short = renderSms({ id: 'cart-sms', items: [item(1)] }, context);
    assert.equal(short, 'Ann, your cart (1 item) is saved: https://shop.example/cart Reply STOP to opt out');
  });
});
