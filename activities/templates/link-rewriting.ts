/**
 * Finds and replaces the http(s) links of a rendered message: the href attributes of its HTML
 * (as written there, HTML-escaped) and the bare URLs of plain text. `replace` answers the new URL
 * of a link, or undefined to leave it as it is.
 */

export type LinkReplacer = (url: string) => string | undefined;

const HREF = /(\shref\s*=\s*)(["'])(.*?)\2/gis;
const BARE_URL = /\bhttps?:\/\/[^\s<>"]+/gi;
const WEB_URL = /^https?:\/\//i;
const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** An attribute's value as the browser reads it: `&amp;`, `&#x3D;` and the like decoded. */
export function decodeHtmlAttribute(value: string): string {
  return value.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
  });
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/</g, '&lt;');

export function rewriteHtmlLinks(html: string, replace: LinkReplacer): string {
  return html.replace(HREF, (whole, prefix: string, quote: string, written: string) => {
    const url = decodeHtmlAttribute(written).trim();
    if (!WEB_URL.test(url)) return whole;
    const replaced = replace(url);
    return replaced === undefined ? whole : `${prefix}${quote}${escapeAttribute(replaced)}${quote}`;
  });
}

/** A URL's end as prose writes it: a closing period, comma or bracket after it is not part of it. */
function trimProse(url: string): string {
  let end = url.replace(/[.,;:!?'"]+$/, '');
  while (end.endsWith(')') && (end.match(/\(/g)?.length ?? 0) < (end.match(/\)/g)?.length ?? 0)) {
    end = end.slice(0, -1).replace(/[.,;:!?'"]+$/, '');
  }
  return end;
}

export function rewriteTextLinks(text: string, replace: LinkReplacer): string {
  return text.replace(BARE_URL, (found) => {
    const url = trimProse(found);
    const replaced = replace(url);
    return replaced === undefined ? found : `${replaced}${found.slice(url.length)}`;
  });
}

/** The distinct links of an HTML part and a text part, in order of appearance. */
export function linksOf(parts: { html?: string; text?: string }): string[] {
  const found = new Set<string>();
  const collect: LinkReplacer = (url) => {
    found.add(url);
    return undefined;
  };
  if (parts.html !== undefined) rewriteHtmlLinks(parts.html, collect);
  if (parts.text !== undefined) rewriteTextLinks(parts.text, collect);
  return [...found];
}

/** A 1x1 image at the end of the body: loading it reports an open. */
export function withOpenPixel(html: string, pixelUrl: string): string {
  const pixel =
    `<img src="${escapeAttribute(pixelUrl)}" width="1" height="1" alt="" ` +
    `style="display:block;width:1px;height:1px;border:0">`;
  const bodyEnd = html.search(/<\/body\s*>(?![\s\S]*<\/body\s*>)/i);
  return bodyEnd < 0 ? `${html}${pixel}` : `${html.slice(0, bodyEnd)}${pixel}${html.slice(bodyEnd)}`;
}
