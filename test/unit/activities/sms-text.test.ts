import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSms } from '../../../activities/templates';
import { smsLength } from '../../../activities/templates/sms-length';

const context = { firstName: 'Ann', storeUrl: 'https://shop.example', unsubscribeUrl: '' };
const cart = { id: 'cart-sms' as const, items: [{ productId: 'p', name: 'Mug', quantity: 1, price: 5 }] };
const churn = { id: 'churn-offer-sms' as const, incentiveCode: 'WELCOME15' };
const OPT_OUT = 'Reply STOP to opt out';

describe('SMS length and the opt-out text', () => {
  it('counts GSM-7 characters, the GSM-7 extension (two each) and UCS-2 code units', () => {
    assert.deepEqual(smsLength('Hello'), { encoding: 'GSM-7', units: 5, limit: 160 });
    assert.deepEqual(smsLength('{€}'), { encoding: 'GSM-7', units: 6, limit: 160 });
    assert.deepEqual(smsLength('Zoë'), { encoding: 'UCS-2', units: 3, limit: 70 });
    assert.deepEqual(
      smsLength('Hi 😀'),
      { encoding: 'UCS-2', units: 5, limit: 70 },
      'an emoji is two UTF-16 code units',
    );
  });

  const names: Array<[string, string]> = [
    ['a non-GSM letter (UCS-2: 70 per segment)', 'Zoë'],
    ['an emoji', 'Ann 😀'],
    ['a long non-GSM name', 'Łukasz-Maximilian'],
    ['a very long GSM-7 name', 'A'.repeat(200)],
    ['a very long UCS-2 name', '李'.repeat(100)],
  ];
  for (const [what, firstName] of names) {
    for (const template of [cart, churn]) {
      it(`keeps "${OPT_OUT}" whole in one segment for ${template.id} with ${what}`, () => {
        const text = renderSms(template, { ...context, firstName, storeUrl: 'https://shop.example/some/longer/path' });
        assert.ok(text.endsWith(OPT_OUT), text);
        const { units, limit } = smsLength(text);
        assert.ok(units <= limit, `${units} > ${limit}: ${text}`);
      });
    }
  }

  it('drops the name before anything else, and cuts the rest only when even that does not fit', () => {
    assert.equal(
      renderSms(cart, { ...context, firstName: 'Zoë' }),
      `Your cart (1 item) is saved: https://shop.example/cart ${OPT_OUT}`,
    );
    const longUrl = renderSms(cart, { ...context, storeUrl: `https://shop.example/${'x'.repeat(200)}` });
    assert.ok(
      longUrl.startsWith('Your cart (1 item) is saved: https://shop.example/xxx') && longUrl.endsWith(`... ${OPT_OUT}`),
      longUrl,
    );
    assert.ok(smsLength(longUrl).units <= 160);
  });

  it('leaves a text that fits as it is', () => {
    assert.equal(renderSms(cart, context), `Ann, your cart (1 item) is saved: https://shop.example/cart ${OPT_OUT}`);
  });
});
