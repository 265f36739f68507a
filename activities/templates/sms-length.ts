/**
 * How long a text is for one SMS segment: GSM-7 counts septets (the extension table's characters
 * take two), UCS-2 counts UTF-16 code units (an emoji takes two). No well-kept npm package is
 * installed for this; see docs/DELIVERY.md.
 */

export const SMS_GSM7_LIMIT = 160;
export const SMS_UCS2_LIMIT = 70;

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENSION = new Set('\f^{}\\[~]|€');

export interface SmsLength {
  encoding: 'GSM-7' | 'UCS-2';
  units: number;
  /** What one segment holds in this encoding. */
  limit: number;
}

export function smsLength(text: string): SmsLength {
  let septets = 0;
  for (const character of text) {
    if (GSM7_BASIC.has(character)) septets += 1;
    else if (GSM7_EXTENSION.has(character)) septets += 2;
    else return { encoding: 'UCS-2', units: text.length, limit: SMS_UCS2_LIMIT };
  }
  return { encoding: 'GSM-7', units: septets, limit: SMS_GSM7_LIMIT };
}

export function fitsOneSegment(text: string): boolean {
  const { units, limit } = smsLength(text);
  return units <= limit;
}
