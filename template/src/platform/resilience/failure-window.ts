/** Completed calls and failures counted over the window. */
export interface WindowCounts {
  readonly calls: number;
  readonly failures: number;
}

/** A rolling count of completed calls and failures over a time window. */
export interface FailureWindow {
  /** Counts one completed call. */
  record(failed: boolean): void;
  /** Calls and failures within the window. */
  counts(): WindowCounts;
  /** Forgets everything (on every breaker state change). */
  reset(): void;
}

interface Bucket {
  id: number;
  calls: number;
  failures: number;
}

/**
 * Creates a failure window of `windowMs`, split into `bucketCount` buckets
 * that expire one at a time; `now` is a monotonic clock in ms. Only
 * completed calls are counted: calls in flight and calls refused by the
 * breaker never dilute the failure rate.
 */
export function createFailureWindow(
  windowMs: number,
  now: () => number,
  bucketCount = 10,
): FailureWindow {
  const width = windowMs / bucketCount;
  // An emptied bucket's id is never inside the window, whatever the clock reads.
  const empty = () => ({ id: Number.NEGATIVE_INFINITY, calls: 0, failures: 0 });
  const buckets: Bucket[] = Array.from({ length: bucketCount }, empty);
  const currentId = () => Math.floor(now() / width);

  return {
    record(failed) {
      const id = currentId();
      const bucket = buckets[id % bucketCount] as Bucket;
      if (bucket.id !== id) {
        bucket.id = id;
        bucket.calls = 0;
        bucket.failures = 0;
      }
      bucket.calls += 1;
      if (failed) bucket.failures += 1;
    },
    counts() {
      const oldest = currentId() - bucketCount;
      let calls = 0;
      let failures = 0;
      for (const bucket of buckets) {
        if (bucket.id > oldest) {
          calls += bucket.calls;
          failures += bucket.failures;
        }
      }
      return { calls, failures };
    },
    reset() {
      for (const bucket of buckets) Object.assign(bucket, empty());
    },
  };
}
