/**
 * Failure types that cross from activities to workflows (`ApplicationFailure.type`): the activity
 * throws with one, the workflow's retry policy and error handling match on it.
 */

/** The provider refused this recipient for good (invalid number, unsubscribed, SMTP 5xx): never retried. */
export const PERMANENT_DELIVERY_ERROR = 'PermanentDeliveryError';

/** Another execution holds the send's reservation; the attempt is retried once it settles or its lease ends. */
export const DELIVERY_IN_PROGRESS = 'DeliveryInProgress';

/**
 * An attempt stopped before the provider took the message, for a reason other than the journey's
 * end (a first attempt out of time, the worker shutting down): its reservation is released and the
 * send is retried as an activity.
 */
export const ATTEMPT_STOPPED = 'AttemptStopped';
