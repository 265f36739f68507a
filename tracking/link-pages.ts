/** The pages a customer sees behind the links of a message. They name nothing of the customer. */

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:sans-serif;max-width:32em;margin:3em auto;padding:0 1em">${body}</body></html>`
  );
}

/** Forged, tampered, unknown or expired: the same words whoever asks. */
export function linkNotValidPage(): string {
  return page(
    'Link not valid',
    '<h1>This link is not valid</h1><p>It may have expired. To stop our messages, use the unsubscribe link ' +
      'of a recent message, or reply STOP to a text.</p>',
  );
}

/** The confirmation an unsubscribe link opens: nothing changes until the customer chooses. */
export function unsubscribeFormPage(action: string): string {
  const button = (scope: string, label: string) =>
    `<p><button type="submit" name="scope" value="${scope}">${escapeHtml(label)}</button></p>`;
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe</h1><p>Choose what to stop:</p><form method="post" action="${escapeHtml(action)}">` +
      button('email', 'Unsubscribe from emails') +
      button('all', 'Unsubscribe from all messages (emails and texts)') +
      `</form>`,
  );
}

export function unsubscribedPage(scope: 'email' | 'sms' | 'all'): string {
  const what = { email: 'emails', sms: 'text messages', all: 'any more messages' }[scope];
  return page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will not receive ${what} from us.</p>`);
}

/** Where the unsubscribe link of a template preview or an operator's test send leads: nowhere. */
export function previewPage(): string {
  return page(
    'Preview link',
    '<h1>Preview only</h1><p>This is the placeholder unsubscribe link of a template preview or a test send. ' +
      'A real message carries a link of its own here. Nothing was changed.</p>',
  );
}

export function tryAgainPage(): string {
  return page(
    'Please try again',
    '<h1>Please try again</h1><p>We could not record your choice just now. Nothing was changed; ' +
      'please try again in a minute.</p>',
  );
}

/** The open pixel: a 1x1 transparent GIF, 43 bytes. */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
