import { z } from 'zod';
import { TWILIO_INBOUND_PATH } from '../../contract/provider-webhooks';
import { logSchema, smsSchema } from '../../platform/config';
import { TwilioSandbox } from './twilio-sandbox';
import { loadConfigOrExit, runServices } from '../../platform/run-services';

/**
 * The local Twilio stand-in as a process, for the demo: SMS land in its inbox, never on a phone. It
 * accepts the same TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN the app is given, and signs its status
 * callbacks and replies with that token. Replies go to TWILIO_SANDBOX_INBOUND_URL, by default the
 * tracking service's inbound webhook.
 */
const config = loadConfigOrExit(
  logSchema.extend({
    TWILIO_SANDBOX_PORT: z.coerce.number().int().min(1).max(65535).default(8026),
    TWILIO_ACCOUNT_SID: smsSchema.shape.TWILIO_ACCOUNT_SID.unwrap(),
    TWILIO_AUTH_TOKEN: smsSchema.shape.TWILIO_AUTH_TOKEN.unwrap(),
    TRACKING_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8090'),
    TWILIO_SANDBOX_INBOUND_URL: z.url({ protocol: /^http$/ }).optional(),
  }),
);
const inboundUrl =
  config.TWILIO_SANDBOX_INBOUND_URL ?? `${config.TRACKING_PUBLIC_URL.replace(/\/$/, '')}${TWILIO_INBOUND_PATH}`;
const sandbox = new TwilioSandbox(
  { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN },
  { inboundUrl },
);
runServices('twilio-sandbox', config.LOG_LEVEL, (logger) =>
  Promise.resolve([
    {
      name: 'twilio-sandbox',
      start: async () => {
        const url = await sandbox.start(config.TWILIO_SANDBOX_PORT);
        logger.info(
          { url, inbox: `${url}/sandbox/messages`, replies: `${url}/sandbox/reply`, inboundUrl },
          'Twilio Messages API stand-in listening',
        );
      },
      stop: () => sandbox.stop(),
    },
  ]),
);
