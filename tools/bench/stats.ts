/** Percentiles by the nearest-rank method over a copy of the samples. */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number; max: number; n: number } {
  if (samples.length === 0) return { p50: NaN, p95: NaN, p99: NaN, max: NaN, n: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1]!, n: sorted.length };
}

export type Percentiles = ReturnType<typeof percentiles>;

/** Events per second over the span from the first start to the last finish. */
export function ratePerSecond(count: number, fromMs: number, toMs: number): number {
  return toMs > fromMs ? (count * 1000) / (toMs - fromMs) : NaN;
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function inPool(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}
