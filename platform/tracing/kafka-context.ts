import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';

type HeaderValue = IHeaders[string];

const headerGetter: TextMapGetter<IHeaders> = {
  keys: (headers) => Object.keys(headers),
  get(headers, key) {
    const value: HeaderValue = headers[key];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  },
};

const headerSetter: TextMapSetter<Record<string, string>> = {
  set(headers, key, value) {
    headers[key] = value;
  },
};

/** The trace context a producer put in a message's headers (W3C `traceparent`), or the current one. */
export function contextFromHeaders(headers: IHeaders | undefined): Context {
  return headers ? propagation.extract(context.active(), headers, headerGetter) : context.active();
}

/** Headers carrying the current trace context, for a message this process produces. */
export function headersWithContext(active: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(active, headers, headerSetter);
  return headers;
}
