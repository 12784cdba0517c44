/** The BroadcastChannel on which a test opens the gated rank worker (test/fixtures/rank-workers/gated.ts). */
export const RANK_GATE = 'mutualfit-test-rank-gate';
