export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * How long to wait after failed attempt number `attempt` (1-based): exponential, capped, with
 * "equal jitter" (half fixed, half random) so receivers coming back up are not hit in lockstep.
 * A receiver's Retry-After is honoured when it asks for longer, up to the cap.
 */
export function retryDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt - 1, 40));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.round(Math.min(policy.maxMs, Math.max(jittered, retryAfterMs ?? 0)));
}
