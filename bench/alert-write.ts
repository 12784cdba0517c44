/**
 * A write's pairs as src/alerts/service.ts scores them: its changed profiles' pairs above an
 * alert's threshold as written, and as the index holds them before the write (undefined when the
 * index holds none of them: new profiles). `pairsAbove` is either checkout's (bench/alerts-ab.ts).
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
  thresholds: unknown,
  turns?: unknown,
): Promise<{ after: Any; before: Any }> {
  const after = await pairsAbove(index, workspaceId, side, changed, method, thresholds, turns);
  const indexed = index.stageIndexed(
    workspaceId,
    side,
    changed.map((state: { id: string }) => state.id),
  );
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
