export { cartAbandonmentWorkflow } from './cart-abandonment';
