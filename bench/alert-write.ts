/**
 * A write's pairs as src/alerts/service.ts scores them: its changed profiles' pairs above an
 * alert's threshold as written, and as the index holds them before the write (undefined when the
 * index holds none of them: new profiles). `pairsAbove` is either checkout's (bench/alerts-ab.ts);
 * `narrowToAffected` too, where it has one (since 2026-12-06: a profile with an alert of its own is
 * scanned, before and after, only over the rows its write may change, so its pairs are fewer but
 * its crossings the same).
 */
// biome-ignore lint/suspicious/noExplicitAny: either checkout's index, states and pairs
type Any = any;

export async function pairsOfWrite(
  pairsAbove: Any,
  index: Any,
  workspaceId: string,
  side: 'job' | 'candidate',
  changed: Any[],
  method: string,
  thresholds: Any,
  turns?: unknown,
  narrowToAffected?: Any,
): Promise<{ after: Any; before: Any }> {
  const indexed = index.stageIndexed(
    workspaceId,
    side,
    changed.map((state: { id: string }) => state.id),
  );
  const staging = index.stage(workspaceId, changed);
  narrowToAffected?.(
    index,
    workspaceId,
    side,
    { states: changed, staging },
    { states: indexed.states, staging: indexed.groups },
    thresholds.own,
  );
  const after = await pairsAbove(index, workspaceId, side, changed, method, thresholds, turns, staging);
  if (indexed.groups.length === 0) return { after, before: undefined };
  const before = await pairsAbove(
    index,
    workspaceId,
    side,
    indexed.states,
    method,
    thresholds,
    turns,
    indexed.groups,
  );
  return { after, before };
}
