import Handlebars from 'handlebars';
import type { TemplateId } from '../../contract/templates';
import type { TemplateContent } from '../../platform/db/templates';
import { renderSms, SMS_OPT_OUT, smsAsWritten, type RenderContext } from './index';
import { renderMessage, type MessageLinks } from './message';
import { SAMPLE_DATA, TRIAL_SAMPLES } from './samples';
import { smsLength, type SmsLength } from './sms-length';

/**
 * The rules a template must meet before it is saved: each part compiles, HTML values stay escaped,
 * it renders with sample data, every email part carries the unsubscribe link, and an SMS ends with
 * the opt-out text.
 */

export type TemplatePart = 'subject' | 'text' | 'html';

export interface TemplateProblem {
  field: TemplatePart;
  problem: string;
}

/** How long an SMS is as written, for one sample name: the encoding decides the segment size. */
export interface SmsLengthReport extends SmsLength {
  sample: string;
  /** Segments the text as written would take; sends are fitted into one (the name dropped, then cut). */
  segments: number;
  /** Whether the send shortens this text to fit one segment. */
  shortened: boolean;
  sent: string;
}

/** What one segment of a multi-part SMS holds: the concatenation header takes the rest. */
const CONCATENATED_SEGMENT = { 'GSM-7': 153, 'UCS-2': 67 } as const;

/** Unescaped by Handlebars' HTML escaping, so it is found as written in both parts. */
const UNSUBSCRIBE_CHECK = 'https://unsubscribe.example/check-template';
const checkLinks: MessageLinks = { storeUrl: 'https://storefront.example', unsubscribeUrl: UNSUBSCRIBE_CHECK };

export function validateTemplate(templateId: TemplateId, content: TemplateContent): TemplateProblem[] {
  const parts: Array<[TemplatePart, string]> =
    content.channel === 'email'
      ? [
          ['subject', content.subject],
          ['text', content.text],
          ['html', content.html],
        ]
      : [['text', content.text]];
  const problems = parts.flatMap(([field, source]) => syntaxProblems(source).map((problem) => ({ field, problem })));
  if (problems.length > 0) return problems;
  if (content.channel === 'sms' && !content.text.trimEnd().endsWith(SMS_OPT_OUT))
    return [{ field: 'text', problem: `an SMS must end with the opt-out text "${SMS_OPT_OUT}"` }];
  return renderProblems(templateId, content);
}

function syntaxProblems(source: string): string[] {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch (error) {
    return [`does not compile: ${(error as Error).message.replace(/\s+/g, ' ').trim()}`];
  }
  const problems = new Set<string>();
  visit(program, (node) => {
    if (node.type === 'MustacheStatement' && !(node as hbs.AST.MustacheStatement).escaped)
      problems.add('uses {{{…}}} or {{&…}}, which would put values in unescaped: use {{…}}');
    if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement')
      problems.add('uses a partial ({{> …}}); none is available');
    if (node.type === 'DecoratorBlock' || node.type === 'Decorator') problems.add('uses a decorator ({{* …}})');
  });
  return [...problems];
}

function visit(node: unknown, see: (node: hbs.AST.Node) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) visit(child, see);
    return;
  }
  if (!node || typeof node !== 'object' || typeof (node as { type?: unknown }).type !== 'string') return;
  see(node as hbs.AST.Node);
  for (const [key, value] of Object.entries(node)) if (key !== 'loc') visit(value, see);
}

function renderProblems(templateId: TemplateId, content: TemplateContent): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  for (const sample of TRIAL_SAMPLES) {
    let message;
    try {
      message = renderMessage({ id: templateId, ...sample.data }, content, checkLinks, {
        firstName: sample.firstName,
      });
    } catch (error) {
      const problem = `does not render with sample data: ${(error as Error).message.replace(/\s+/g, ' ').trim()}`;
      return [{ field: failingPart(templateId, content, sample), problem }];
    }
    if (message.channel !== 'email') continue;
    if (message.subject === '') problems.push({ field: 'subject', problem: 'renders empty' });
    if (!message.text.includes(UNSUBSCRIBE_CHECK))
      problems.push({ field: 'text', problem: 'must contain the unsubscribe link {{unsubscribeUrl}}' });
    if (!message.html.includes(UNSUBSCRIBE_CHECK))
      problems.push({ field: 'html', problem: 'must contain the unsubscribe link {{unsubscribeUrl}}' });
    if (problems.length > 0) break;
  }
  return problems;
}

/** Which part of an email failed to render: each is tried alone, the others left empty. */
function failingPart(
  templateId: TemplateId,
  content: TemplateContent,
  sample: (typeof TRIAL_SAMPLES)[number],
): TemplatePart {
  if (content.channel !== 'email') return 'text';
  const parts: TemplatePart[] = ['subject', 'text', 'html'];
  const empty = { ...content, subject: '', text: '', html: '' };
  return (
    parts.find((part) => {
      try {
        renderMessage({ id: templateId, ...sample.data }, { ...empty, [part]: content[part] }, checkLinks, {
          firstName: sample.firstName,
        });
        return false;
      } catch {
        return true;
      }
    }) ?? 'text'
  );
}

/** The SMS's length per encoding: with a GSM-7 name, and with a name that needs UCS-2. */
export function smsLengthReport(templateId: TemplateId, content: TemplateContent): SmsLengthReport[] {
  return ['Ann', 'Zoë'].map((firstName) => {
    const context: RenderContext = { firstName, storeUrl: checkLinks.storeUrl, unsubscribeUrl: '' };
    const request = { id: templateId, ...SAMPLE_DATA };
    const written = smsAsWritten(request, context, content);
    const sent = renderSms(request, context, content);
    const length = smsLength(written);
    return {
      sample: `sample content, first name "${firstName}"`,
      ...length,
      segments: length.units <= length.limit ? 1 : Math.ceil(length.units / CONCATENATED_SEGMENT[length.encoding]),
      shortened: sent !== written,
      sent,
    };
  });
}
