import { describe, expect, it } from 'vitest';
import type { Foresight } from '../../src/alerts/foresight.ts';
import type { FoundPairs } from '../../src/alerts/found-pairs.ts';
import type { ProfileState } from '../../src/matching/index.ts';
import type { BulkEntry } from '../../src/profiles/bulk.ts';
import { CandidateBatchesAhead } from '../../src/profiles/bulk-ahead.ts';
import type { CandidateLine } from '../../src/profiles/bulk-repository.ts';

const batch = (size: number): BulkEntry<CandidateLine>[] =>
  Array.from({ length: size }, (_, i) => ({
    line: i + 1,
    externalId: `e${i}`,
    record: { externalId: `e${i}`, minScore: 0.5, contact: { name: 'N', email: `e${i}@example.com` } },
    answers: undefined,
  }));

/** Alerts whose foresights finish only when the test says so. */
function alertsAhead() {
  const started: { states: ProfileState[]; foresight: Foresight; finish: () => void }[] = [];
  return {
    started,
    foresee: (_workspaceId: string, _side: string, statesOf: () => ProfileState[]) => {
      const states = statesOf();
      let finish = () => {};
      const after = new Promise<FoundPairs | undefined>((resolve) => {
        finish = () => resolve(undefined);
      });
      const foresight = { after, outcome: undefined } as unknown as Foresight;
      started.push({ states, foresight, finish });
      return foresight;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('CandidateBatchesAhead', () => {
  it('scores one batch at a time, each as new candidates with the ids the write will use', async () => {
    const alerts = alertsAhead();
    const ahead = new CandidateBatchesAhead(alerts, 'w');
    const [first, second] = [batch(3), batch(2)];
    ahead.foresee(first);
    ahead.foresee(second);
    await settle();
    expect(alerts.started).toHaveLength(1);
    const told = ahead.take(first)!;
    expect(alerts.started[0]!.states.map((state) => state.id)).toEqual(told.ids);
    expect(alerts.started[0]!.states.every((state) => state.open && state.minScore === 0.5)).toBe(true);
    expect(await told.foresight).toBe(alerts.started[0]!.foresight);
    alerts.started[0]!.finish();
    await settle();
    expect(alerts.started).toHaveLength(2);
    expect(alerts.started[1]!.states.map((state) => state.id)).toEqual(ahead.take(second)!.ids);
    expect(ahead.take(batch(1))).toBeUndefined();
  });

  it('foresees no more once a write did not use its foresight', async () => {
    const alerts = alertsAhead();
    const ahead = new CandidateBatchesAhead(alerts, 'w');
    ahead.foresee(batch(1));
    ahead.foresee(batch(1));
    await settle();
    alerts.started[0]!.foresight.outcome = 'missed';
    alerts.started[0]!.finish();
    await settle();
    const later = batch(1);
    ahead.foresee(later);
    await settle();
    expect(alerts.started).toHaveLength(1);
    expect(ahead.take(later)).toBeUndefined();
  });
});
