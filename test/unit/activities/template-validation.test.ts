import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtInTemplates, renderEmail, renderSms, SMS_OPT_OUT, TEMPLATE_IDS } from '../../../activities/templates';
import { smsLengthReport, validateTemplate } from '../../../activities/templates/validation';
import type { EmailTemplateContent } from '../../../platform/db/templates';

const builtIn = builtInTemplates();
const reminder = builtIn['cart-reminder'] as EmailTemplateContent;
const context = { firstName: 'Ann', storeUrl: 'https://shop.example', unsubscribeUrl: 'https://shop.example/u/c1' };

describe('template validation', () => {
  it('accepts every built-in template (the seeds of version 1)', () => {
    assert.deepEqual(TEMPLATE_IDS.length, Object.keys(builtIn).length);
    for (const id of TEMPLATE_IDS) assert.deepEqual(validateTemplate(id, builtIn[id]), [], id);
  });

  it('refuses values put in unescaped, in any part, however written', () => {
    for (const html of ['{{{firstName}}}', '{{~{firstName}~}}', '{{& firstName}}', '{{&firstName}}']) {
      const problems = validateTemplate('cart-reminder', { ...reminder, html: `${reminder.html}${html}` });
      assert.deepEqual(
        problems.map((problem) => problem.field),
        ['html'],
        html,
      );
      assert.match(problems[0]!.problem, /unescaped/);
    }
    assert.deepEqual(
      validateTemplate('cart-reminder', { ...reminder, subject: '{{{firstName}}}' }).map((problem) => problem.field),
      ['subject'],
    );
  });

  it('names the part that does not compile or does not render', () => {
    const cases: Array<[Partial<EmailTemplateContent>, string, RegExp]> = [
      [{ subject: '{{#if firstName}}Hi' }, 'subject', /does not compile/],
      [{ text: `${reminder.text}{{/each}}` }, 'text', /does not compile/],
      [{ html: `${reminder.html}{{#each}}x{{/each}}` }, 'html', /does not render.*iterator/],
      [{ text: `{{shout firstName}} ${reminder.text}` }, 'text', /Missing helper: "shout"/],
      [{ html: `{{> footer}}${reminder.html}` }, 'html', /partial/],
      [{ subject: '{{firstName}}' }, 'subject', /renders empty/],
    ];
    for (const [change, field, problem] of cases) {
      const problems = validateTemplate('cart-reminder', { ...reminder, ...change });
      assert.equal(problems[0]?.field, field, JSON.stringify(change));
      assert.match(problems[0]?.problem ?? '', problem, JSON.stringify(change));
    }
  });

  it('insists on the unsubscribe link in both email bodies, where every sample shows it', () => {
    const withoutLink = (source: string) => source.replace(/\{\{unsubscribeUrl\}\}/g, '{{storeUrl}}');
    assert.deepEqual(
      validateTemplate('cart-reminder', { ...reminder, text: withoutLink(reminder.text) }).map((p) => p.field),
      ['text'],
    );
    assert.deepEqual(
      validateTemplate('cart-reminder', { ...reminder, html: withoutLink(reminder.html) }).map((p) => p.field),
      ['html'],
    );
    const onlyWithName = `{{#if firstName}}{{unsubscribeUrl}}{{/if}}`;
    assert.deepEqual(
      validateTemplate('cart-reminder', { ...reminder, text: onlyWithName }).map((p) => p.field),
      ['text'],
      'a link hidden when the customer has no first name does not count',
    );
    assert.deepEqual(
      validateTemplate('cart-reminder', { ...reminder, html: '<a href="{{ unsubscribeUrl }}">x</a>' }),
      [],
    );
  });

  it('insists that an SMS ends with the opt-out text', () => {
    const problems = validateTemplate('cart-sms', { channel: 'sms', text: 'Your cart is saved: {{storeUrl}}' });
    assert.deepEqual(
      problems.map((problem) => problem.field),
      ['text'],
    );
    assert.match(problems[0]!.problem, new RegExp(SMS_OPT_OUT));
    assert.deepEqual(
      validateTemplate('cart-sms', { channel: 'sms', text: `${SMS_OPT_OUT}: your cart {{storeUrl}}` }).length,
      1,
      'the opt-out must close the text: only there is it never cut',
    );
    assert.deepEqual(
      validateTemplate('cart-sms', { channel: 'sms', text: `Your cart: {{storeUrl}} ${SMS_OPT_OUT}` }),
      [],
    );
  });

  it('shows the SMS length per encoding, with a GSM-7 name and a UCS-2 one', () => {
    const short = smsLengthReport('cart-sms', { channel: 'sms', text: `{{firstName}}: your cart ${SMS_OPT_OUT}` });
    assert.deepEqual(
      short.map(({ encoding, units, limit, segments, shortened }) => ({ encoding, units, limit, segments, shortened })),
      [
        {
          encoding: 'GSM-7',
          units: 'Ann: your cart '.length + SMS_OPT_OUT.length,
          limit: 160,
          segments: 1,
          shortened: false,
        },
        {
          encoding: 'UCS-2',
          units: 'Zoë: your cart '.length + SMS_OPT_OUT.length,
          limit: 70,
          segments: 1,
          shortened: false,
        },
      ],
    );
    const long = smsLengthReport('cart-sms', {
      channel: 'sms',
      text: `{{firstName}} ${'a'.repeat(200)} ${SMS_OPT_OUT}`,
    });
    assert.equal(long[0]!.segments, 2, '226 septets take two 153-septet segments');
    assert.equal(long[0]!.shortened, true);
    assert.ok(long[0]!.sent.endsWith(`... ${SMS_OPT_OUT}`));
    assert.equal(long[1]!.encoding, 'UCS-2');
    assert.equal(long[1]!.segments, 4, '226 UTF-16 units take four 67-unit segments');
  });

  it('renders a stored version exactly as the built-in when it is the built-in', () => {
    const request = { id: 'cart-reminder' as const, items: [{ productId: 'p', name: 'Mug', quantity: 1, price: 5 }] };
    assert.deepEqual(renderEmail(request, context, reminder), renderEmail(request, context));
    const edited = renderEmail(request, context, { ...reminder, subject: 'Hello {{firstName}}' });
    assert.equal(edited.subject, 'Hello Ann');
    const sms = { id: 'cart-sms' as const, items: request.items };
    assert.equal(renderSms(sms, context, builtIn['cart-sms']), renderSms(sms, context));
    assert.equal(
      renderSms(sms, context, { channel: 'sms', text: `Hi {{firstName}}   ${SMS_OPT_OUT}\n` }),
      `Hi Ann ${SMS_OPT_OUT}`,
    );
  });
});
