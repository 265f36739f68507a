/** Masks personal data before it reaches a log line. */

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const domainHead = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local[0]}***@${domainHead[0] ?? ''}***${tld}`;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^\d]/g, '');
  if (digits.length < 6) return '***';
  return `${phone.startsWith('+') ? '+' : ''}${digits.slice(0, 1)}***${digits.slice(-2)}`;
}

const emailPattern = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const phonePattern = /\+\d{7,15}\b/g;

/** Masks every email address and E.164 phone number found in free text. */
export function maskPiiInText(text: string): string {
  return text.replace(emailPattern, maskEmail).replace(phonePattern, maskPhone);
}

/** Replaces the password of a URL, so connection strings can be logged. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.username && parsed.password === '') parsed.username = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
