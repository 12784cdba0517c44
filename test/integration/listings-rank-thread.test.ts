import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.ts';
import { availableDatabaseKinds } from '../support/database.ts';
import { createMarket, keyOf, matchedCandidateIds } from '../support/matching-factories.ts';

/**
 * Concurrent listings handed whole to the rank thread (MATCH_AWAY_MIN_ROWS; docs/architecture.md#the-match-index):
 * through HTTP they list what one thread lists, a candidate hidden from the employer included,
 * and /metrics tells which thread ranked them. A lone listing stays on the request's thread (a
 * listing large enough to be split is split there). Markets large enough to split a listing
 * (MATCH_SPLIT_MIN_ROWS) hand concurrent ones whole too: splitting costs CPU they need.
 */
const sizes = {
  'mid-sized': { MATCH_AWAY_MIN_ROWS: '0' },
  'split-sized': { MATCH_AWAY_MIN_ROWS: '0', MATCH_SPLIT_MIN_ROWS: '0' },
};
describe.each(
  availableDatabaseKinds().flatMap((kind) =>
    Object.entries(sizes).map(([size, env]) => [kind, size, env] as const),
  ),
)('listings on the rank thread on %s, %s markets', (kind, _size, env) => {
  const t = useTestApp({ kind, env: { MATCH_WORKERS: '1', ...env } });

  const rankedOn = async (thread: string) => {
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    const line = response.body
      .split('\n')
      .find(
        (l) =>
          l.startsWith('mutualfit_listing_rank_duration_seconds_count{') &&
          l.includes(`thread="${thread}"`) &&
          l.includes('side="job"'),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  };

  it('list concurrently what a lone listing lists, hidden candidates left out, some ranked on the rank thread', async () => {
    const m = await createMarket(t.app);
    const employer = await keyOf(t.app, m.adminKey, { role: 'employer', employerId: m.employer.id });
    const patched = await m.admin.patch(`/v1/candidates/${m.ids.better}`, {
      hiddenFromEmployerIds: [m.employer.id],
    });
    expect(patched.statusCode, patched.body).toBe(200);

    const alone = await rankedOn('request');
    expect(await matchedCandidateIds(employer, m.job.id)).toEqual([m.ids.good]);
    expect(await rankedOn('request')).toBe(alone + 1);

    // The rank thread starts with the first listing that could use it: rounds of concurrent
    // listings until one was ranked there (each round exact either way).
    const before = await rankedOn('rank');
    for (let round = 0; round < 100 && (await rankedOn('rank')) === before; round++) {
      const lists = await Promise.all(
        Array.from({ length: 8 }, () => matchedCandidateIds(employer, m.job.id)),
      );
      expect(lists).toEqual(Array.from({ length: 8 }, () => [m.ids.good]));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await rankedOn('rank')).toBeGreaterThan(before);
    // Another employer's job still lists the candidate, concurrently as alone.
    const otherAlone = await matchedCandidateIds(m.admin, m.otherJob.id);
    expect(otherAlone).toContain(m.ids.better);
    const others = await Promise.all(
      Array.from({ length: 4 }, () => matchedCandidateIds(m.admin, m.otherJob.id)),
    );
    expect(others).toEqual(Array.from({ length: 4 }, () => otherAlone));
  });
});
