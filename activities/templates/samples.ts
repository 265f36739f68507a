import type { TemplateRequest } from '../../contract/templates';

/** Content for previews and for the trial renders that validate a template before it is saved. */

export type MessageData = Omit<TemplateRequest, 'id'>;

export const SAMPLE_DATA: MessageData = {
  items: [
    { productId: 'sample-1', name: 'Trail running shoes', quantity: 1, price: 89.9 },
    { productId: 'sample-2', name: 'Merino socks', quantity: 2, price: 12.5 },
  ],
  currency: 'EUR',
  products: [
    {
      productId: 'sample-1',
      name: 'Trail running shoes',
      price: 89.9,
      currency: 'EUR',
      url: 'https://storefront.example/p/sample-1',
    },
  ],
  incentiveCode: 'SAMPLE10',
};

export const SAMPLE_FIRST_NAME = 'Ann';

const many = Array.from({ length: 7 }, (_, index) => ({
  productId: `sample-${index}`,
  name: `Sample product ${index}`,
  quantity: 1,
  price: 10,
}));

/** A template must render with each of these: a name or none, content or none, a list too long to show whole. */
export const TRIAL_SAMPLES: Array<{ firstName: string | null; data: MessageData }> = [
  { firstName: SAMPLE_FIRST_NAME, data: SAMPLE_DATA },
  { firstName: null, data: {} },
  { firstName: 'Zoë', data: { items: many, products: many, currency: 'USD', incentiveCode: 'X' } },
];
