import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import type { z } from 'zod';
import type { LaunchAudienceMember } from '../platform/db/launches';
import { HttpError } from './errors';

export interface UploadLimits {
  maxBytes: number;
  maxLineBytes: number;
  maxLines: number;
}

/**
 * Reads a JSONL audience as it arrives, one member per line, validated by `lineSchema` (the
 * campaign's start body). Blank lines are skipped. The first bad line, or a body over the limits,
 * throws a 4xx naming the line and the field; the caller's transaction then stores nothing.
 */
export async function* readAudienceLines(
  body: Readable,
  lineSchema: z.ZodType<{ customerId: string }>,
  limits: UploadLimits,
): AsyncGenerator<LaunchAudienceMember> {
  let bytes = 0;
  const counted = body.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > limits.maxBytes)
          done(
            new HttpError(413, 'upload_too_large', `The upload is over ${limits.maxBytes} bytes.`, {
              field: 'body',
              in: 'body',
            }),
          );
        else done(null, chunk);
      },
    }),
  );
  body.on('error', (error) => counted.destroy(error));
  const lines = createInterface({ input: counted, crlfDelay: Infinity });
  let lineNumber = 0;
  let members = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') continue;
    const at = `line ${lineNumber}`;
    if (Buffer.byteLength(line) > limits.maxLineBytes)
      throw invalidLine(at, 'body', `longer than ${limits.maxLineBytes} bytes`);
    if (++members > limits.maxLines)
      throw new HttpError(413, 'upload_too_large', `The upload has more than ${limits.maxLines} members.`, {
        field: 'body',
        in: 'body',
      });
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw invalidLine(at, 'body', 'not valid JSON');
    }
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
      throw invalidLine(at, path.map(String).join('.') || 'body', issue.message);
    }
    const { customerId, ...entry } = parsed.data as { customerId: string } & Record<string, unknown>;
    yield { customerId, entry };
  }
}

function invalidLine(at: string, field: string, problem: string): HttpError {
  return new HttpError(422, 'invalid_audience', `${at}: ${field}: ${problem}`, {
    field: `${at}: ${field}`,
    in: 'body',
  });
}
