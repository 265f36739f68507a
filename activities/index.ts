import { createEmailActivities, type EmailDependencies } from './email';

export type { SendEmailInput, SendOutcome } from './email';

export type ActivityDependencies = EmailDependencies;

/** Builds every activity from explicit dependencies, so tests can pass real or fake parts. */
export function createActivities(deps: ActivityDependencies) {
  return { ...createEmailActivities(deps) };
}

export type ChannelActivities = ReturnType<typeof createActivities>;
