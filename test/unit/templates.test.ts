import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderCartReminder } from '../../activities/templates/cart-reminder';

const item = (index: number) => ({ productId: `p${index}`, name: `Item ${index}`, quantity: 1, price: 10 });

describe('cart reminder template', () => {
  it('greets by first name and prices items in the cart currency', () => {
    const email = renderCartReminder({ firstName: 'Ann', items: [{ productId: 'p', name: 'Mug', quantity: 2, price: 12.5 }], currency: 'EUR' });
    assert.equal(email.subject, 'Ann, you left something in your cart');
    assert.match(email.text, /2 × Mug \(€12\.50\)/);
  });

  it('escapes hostile product names in the HTML part', () => {
    const email = renderCartReminder({ firstName: '<img src=x onerror=alert(1)>', items: [{ productId: 'p', name: '<script>alert(1)</script>', quantity: 1, price: 1 }] });
    assert.doesNotMatch(email.html, /<script>|<img/);
    assert.match(email.html, /&lt;script&gt;/);
  });

  it('lists at most five items and says how many more', () => {
    const email = renderCartReminder({ firstName: null, items: [1, 2, 3, 4, 5, 6, 7].map(item) });
    assert.match(email.text, /Item 5/);
    assert.doesNotMatch(email.text, /Item 6/);
    assert.match(email.text, /and 2 more/);
    assert.equal(email.subject, 'You left something in your cart');
  });

  it('keeps header injection out of the subject', () => {
    const email = renderCartReminder({ firstName: 'Ann\r\nBcc: victim@example.com', items: [item(1)] });
    assert.doesNotMatch(email.subject, /[\r\n]/);
  });
});
