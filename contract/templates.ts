/** What a workflow asks a channel activity to render; the content itself is built in activities/templates. */

export type TemplateId =
  | 'cart-reminder'
  | 'cart-final'
  | 'cart-sms'
  | 'browse-reminder'
  | 'churn-winback'
  | 'churn-offer-sms'
  | 'churn-final'
  | 'post-purchase-review'
  | 'post-purchase-cross-sell';

/** The templates sent by SMS; every other is an email. */
export const SMS_TEMPLATE_IDS: readonly TemplateId[] = ['cart-sms', 'churn-offer-sms'];

export function templateChannel(id: TemplateId): 'email' | 'sms' {
  return SMS_TEMPLATE_IDS.includes(id) ? 'sms' : 'email';
}

export interface CartItemView {
  productId: string;
  name: string;
  quantity: number;
  price: number;
}

export interface ProductView {
  productId: string;
  name: string;
  url?: string | undefined;
  price?: number | undefined;
  currency?: string | undefined;
}

export interface TemplateRequest {
  id: TemplateId;
  items?: CartItemView[];
  currency?: string | undefined;
  products?: ProductView[];
  incentiveCode?: string;
}
