import { EventWebhook } from '@sendgrid/eventwebhook';

export type SendgridVerdict = 'valid' | 'unsigned' | 'bad_signature' | 'stale';

export interface SignedRequest {
  /** The body exactly as received: the signature covers its bytes. */
  rawBody: Buffer;
  signature: string | undefined;
  /** Unix seconds, as SendGrid sends it. */
  timestamp: string | undefined;
}

/**
 * SendGrid's Signed Event Webhook: an ECDSA P-256 / SHA-256 signature over the timestamp followed by
 * the raw body, checked with SendGrid's own library against the verification key from its settings
 * (base64 DER). A timestamp further than `maxAgeMs` from our clock is refused as a replay.
 */
export function sendgridVerifier(publicKeyBase64: string, maxAgeMs: number) {
  const webhook = new EventWebhook();
  let publicKey: ReturnType<EventWebhook['convertPublicKeyToECDSA']>;
  try {
    publicKey = webhook.convertPublicKeyToECDSA(publicKeyBase64);
  } catch (error) {
    throw new Error(
      `SENDGRID_WEBHOOK_PUBLIC_KEY is not a public key (expected the base64 verification key from SendGrid's ` +
        `Event Webhook settings): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return (request: SignedRequest, nowMs: number): SendgridVerdict => {
    const { signature, timestamp } = request;
    if (!signature || !timestamp) return 'unsigned';
    if (!/^\d{1,12}$/.test(timestamp)) return 'bad_signature';
    let valid = false;
    try {
      valid = webhook.verifySignature(publicKey, request.rawBody, signature, timestamp);
    } catch {
      // The library throws on a signature that is not base64 DER: as wrong as any other.
    }
    if (!valid) return 'bad_signature';
    return Math.abs(nowMs - Number(timestamp) * 1000) > maxAgeMs ? 'stale' : 'valid';
  };
}
