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
