export { cartAbandonmentWorkflow } from './cart-abandonment';
export { browseAbandonmentWorkflow } from './browse-abandonment';
export { churnRetentionWorkflow } from './churn-retention';
export { postPurchaseWorkflow } from './post-purchase';
export { campaignCancelWorkflow } from './campaign-cancel';
export { campaignLaunchWorkflow } from './launch';
