/** One line of the drill's verdict: what it had to be, what it was. */
export interface Check {
  name: string;
  expected: string;
  actual: string;
  ok: boolean;
}

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Equal as JSON (object keys sorted), so `{a, b}` and `{b, a}` match. */
export function checkEqual(name: string, expected: unknown, actual: unknown): Check {
  const expectedText = text(sortKeys(expected));
  const actualText = text(sortKeys(actual));
  return { name, expected: expectedText, actual: actualText, ok: expectedText === actualText };
}

export function checkThat(name: string, expected: string, actual: string, ok: boolean): Check {
  return { name, expected, actual, ok };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, sortKeys(inner)]),
    );
  return value;
}

/**
 * Each customer of `expected` must appear exactly once in `counts`, and nobody else at all:
 * returns how many are right, missing, repeated, or there without being expected.
 */
export function exactlyOnce(expected: string[], counts: Map<string, number>) {
  const wanted = new Set(expected);
  let once = 0;
  let missing = 0;
  let repeated = 0;
  for (const customerId of wanted) {
    const count = counts.get(customerId) ?? 0;
    if (count === 1) once += 1;
    else if (count === 0) missing += 1;
    else repeated += 1;
  }
  const unexpected = [...counts.keys()].filter((customerId) => !wanted.has(customerId)).length;
  return { once, missing, repeated, unexpected };
}
