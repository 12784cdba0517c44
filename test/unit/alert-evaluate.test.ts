import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { pairsAbove, SCAN_EACH_SHARE, scoresNow } from '../../src/alerts/evaluate.ts';
import { type AlertPair, FoundPairs } from '../../src/alerts/found-pairs.ts';
import { AlertingSide } from '../../src/alerts/registry.ts';
import { Turns } from '../../src/alerts/turns.ts';
import { MatchIndex, type ProfileState } from '../../src/matching/index.ts';
import { scorePair } from '../../src/matching/score.ts';
import { scoreMethods } from '../../src/matching/types.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { miniAnswerSet } from '../support/alert-model.ts';
import { loadMini } from '../support/matching-factories.ts';

const WS = '00000000-0000-4000-8000-0000000000aa';
const id = (kind: number, i: number) => `00000000-0000-4000-8${kind}00-${i.toString(16).padStart(12, '0')}`;

/**
 * pairsAbove finds the other side's alerts' pairs pair by pair, by one scan of the other side per
 * changed row when many of it are alerting, or by one scan of the changed rows per alerting row
 * when many rows changed (a bulk batch); each size here forces one, and all must give the pairs
 * the reference scorer gives (the changed rows' own alerts always take the scan), never a pair a
 * candidate hides from, also when the evaluation is cut into turns at every unit of work, and also
 * when the changed rows are copied out of the index (MatchIndex.stageIndexed: a write's "before").
 */
describe('pairsAbove', () => {
  it.each([
    { name: 'pair by pair', others: 10 * SCAN_EACH_SHARE + 20, alerting: 10, changed: 30 },
    { name: 'a scan of the other side per changed row', others: 300, alerting: 150, changed: 30 },
    { name: 'a scan of the changed rows per alerting row', others: 300, alerting: 40, changed: 90 },
  ])(
    'equals the reference scorer, $name',
    async ({ others, alerting, changed }) => {
      const mini = await loadMini();
      const catalog = buildCatalog([mini]);
      for (const [seed, method] of scoreMethods.entries()) {
        const answers = fc.sample(miniAnswerSet, { seed: seed + 1, numRuns: others + changed });
        const minScores = fc.sample(fc.constantFrom(0, 0.3, 0.5, 0.7), {
          seed: seed + 7,
          numRuns: others + changed,
        });
        const index = new MatchIndex(catalog);
        const profile = (kind: number, i: number, k: number): ProfileState => ({
          id: id(kind, i),
          minScore: minScores[k]!,
          employerId: kind === 1 ? id(9, i % 3) : undefined,
          hiddenFromEmployerIds: kind === 2 && i % 5 === 0 ? [id(9, 1)] : undefined,
          open: true,
          answers: { questionnaireId: 'mini', questionnaireVersion: 1, answers: answers[k]! },
        });
        // The changed side are jobs in one round and candidates in the other.
        for (const side of ['job', 'candidate'] as const) {
          const [mine, theirs] = side === 'job' ? [1, 2] : [2, 1];
          for (let i = 0; i < others; i++)
            index.apply(WS, side === 'job' ? 'candidate' : 'job', profile(theirs, i, i));
          const states = Array.from({ length: changed }, (_, i) => profile(mine, i, others + i));
          const thresholdOf = (i: number) => [0.4, 0.6, 0.8][i % 3]!;
          const theirThresholds = new Map(
            Array.from({ length: alerting }, (_, i) => [
              id(theirs, i * Math.floor(others / alerting)),
              thresholdOf(i),
            ]),
          );
          const own = new Map(states.filter((_, i) => i % 4 === 0).map((s, i) => [s.id, thresholdOf(i)]));
          // A pause at every unit, scans in pieces of 64 rows: the event loop runs between them.
          let done = false;
          let ticks = 0;
          const tick = () => {
            ticks++;
            if (!done) setImmediate(tick);
          };
          setImmediate(tick);
          const found = await pairsAbove(
            index,
            WS,
            side,
            states,
            method,
            { own, others: new AlertingSide(theirThresholds) },
            new Turns(0, 64),
          );
          done = true;
          expect(ticks).toBeGreaterThan(changed);

          const expected: AlertPair[] = [];
          for (const [c, state] of states.entries()) {
            for (let i = 0; i < others; i++) {
              const [jobIndex, candidateIndex] = side === 'job' ? [c, i] : [i, c];
              if (candidateIndex % 5 === 0 && jobIndex % 3 === 1) continue; // hidden from the employer
              const otherId = id(theirs, i);
              const other = { answers: answers[i]!, minScore: minScores[i]! };
              const mineProfile = { answers: state.answers!.answers!, minScore: state.minScore };
              const [job, candidate] = side === 'job' ? [mineProfile, other] : [other, mineProfile];
              const score = scorePair(mini, job, candidate, method);
              if (!score.acceptable) continue;
              const pair =
                side === 'job'
                  ? { jobId: state.id, candidateId: otherId }
                  : { jobId: otherId, candidateId: state.id };
              const ownThreshold = own.get(state.id);
              if (ownThreshold !== undefined && score.score >= ownThreshold)
                expected.push({ alertOf: side, ...pair, score: score.score });
              const theirThreshold = theirThresholds.get(otherId);
              if (theirThreshold !== undefined && score.score >= theirThreshold)
                expected.push({ alertOf: side === 'job' ? 'candidate' : 'job', ...pair, score: score.score });
            }
          }
          const key = (p: AlertPair) => `${p.alertOf}:${p.jobId}:${p.candidateId}:${p.score}`;
          expect((await found.all(new Turns())).map(key).sort()).toEqual(expected.map(key).sort());
          expect(expected.length).toBeGreaterThan(0);
          // The same profiles once indexed, copied back out of the index (a write's "before"): the same pairs.
          for (const state of states) index.apply(WS, side, state);
          const indexed = index.stageIndexed(
            WS,
            side,
            states.map((state) => state.id),
          );
          expect(indexed.states.map((state) => state.id)).toEqual(states.map((state) => state.id));
          const before = await pairsAbove(
            index,
            WS,
            side,
            indexed.states,
            method,
            { own, others: new AlertingSide(theirThresholds) },
            undefined,
            indexed.groups,
          );
          expect((await before.all(new Turns())).map(key).sort()).toEqual(expected.map(key).sort());
          for (const state of states) index.remove(WS, side, state.id);
          for (let i = 0; i < others; i++)
            index.remove(WS, side === 'job' ? 'candidate' : 'job', id(theirs, i));
        }
      }
    },
    120_000,
  );

  it('turns the rows a scan finds into pairs piece by piece, between its pauses', async () => {
    const mini = await loadMini();
    const index = new MatchIndex(buildCatalog([mini]));
    const answers = fc.sample(miniAnswerSet, { seed: 42, numRuns: 601 });
    const profile = (kind: number, i: number): ProfileState => ({
      id: id(kind, i),
      minScore: 0,
      employerId: kind === 1 ? id(9, 0) : undefined,
      open: true,
      answers: { questionnaireId: 'mini', questionnaireVersion: 1, answers: answers[kind === 1 ? 600 : i]! },
    });
    for (let i = 0; i < 600; i++) index.apply(WS, 'candidate', profile(2, i));
    const events: string[] = [];
    class Recording extends Turns {
      override pause(): Promise<void> {
        events.push('pause');
        return super.pause();
      }
    }
    // A pair takes the other profile's id from its slot: before a pause, while the slot still holds it.
    const add = FoundPairs.prototype.add;
    const spy = vi.spyOn(FoundPairs.prototype, 'add').mockImplementation(function (
      this: FoundPairs,
      ...args
    ) {
      events.push('pair');
      return add.apply(this, args);
    });
    try {
      // The job's own alert at 0: every acceptable candidate is a pair, made in pieces of 64 rows.
      const found = await pairsAbove(
        index,
        WS,
        'job',
        [profile(1, 0)],
        'harmonic',
        { own: new Map([[id(1, 0), 0]]), others: new AlertingSide(new Map()) },
        new Recording(0, 64),
      );
      expect(found.length).toBeGreaterThan(128);
      const [first, last] = [events.indexOf('pause'), events.lastIndexOf('pause')];
      expect(events.slice(first, last).filter((e) => e === 'pair').length).toBeGreaterThan(0);
      expect(events.slice(last).filter((e) => e === 'pair').length).toBeLessThan(found.length);
    } finally {
      spy.mockRestore();
    }
  });
});

/**
 * scoresNow gives a write's removed pairs (positions in its pairs before it) their score after the
 * write, as the listings would, looking the other profile up by its id's words: the reference
 * scorer's score, NaN where the pair is no longer acceptable, hidden, or its profile left the market.
 */
describe('scoresNow', () => {
  it('gives each removed pair the reference score after the write, or NaN', async () => {
    const mini = await loadMini();
    const index = new MatchIndex(buildCatalog([mini]));
    const answers = fc.sample(miniAnswerSet, { seed: 5, numRuns: 202 });
    const candidate = (i: number, hiding = false): ProfileState => ({
      id: id(2, i),
      minScore: [0, 0.3, 0.6][i % 3]!,
      hiddenFromEmployerIds: hiding && i % 7 === 0 ? [id(9, 0)] : undefined,
      open: true,
      answers: { questionnaireId: 'mini', questionnaireVersion: 1, answers: answers[i]! },
    });
    const job = (k: number, open = true): ProfileState => ({
      id: id(1, 0),
      minScore: 0,
      employerId: id(9, 0),
      open,
      answers: { questionnaireId: 'mini', questionnaireVersion: 1, answers: answers[200 + k]! },
    });
    for (let i = 0; i < 200; i++) index.apply(WS, 'candidate', candidate(i));
    index.apply(WS, 'job', job(0));
    const thresholds = { own: new Map([[id(1, 0), 0]]), others: new AlertingSide(new Map()) };
    const indexed = index.stageIndexed(WS, 'job', [id(1, 0)]);
    const before = await pairsAbove(
      index,
      WS,
      'job',
      indexed.states,
      'harmonic',
      thresholds,
      undefined,
      indexed.groups,
    );
    expect(before.length).toBeGreaterThan(20);
    // Every other pair before, in reverse: positions need not be in order or complete.
    const positions = Int32Array.from(
      { length: Math.ceil(before.length / 2) },
      (_, k) => before.length - 1 - 2 * k,
    );

    // The write: the job's answers change, and every seventh candidate hides from its employer since.
    for (let i = 0; i < 200; i += 7) index.apply(WS, 'candidate', candidate(i, true));
    const changed = job(1);
    const scores = await scoresNow(index, WS, 'job', [changed], 'harmonic', before, positions);
    const expected = [...positions].map((j) => {
      const i = Number.parseInt(before.pairAt(j).candidateId.slice(-12), 16);
      const c = candidate(i);
      const score = scorePair(
        mini,
        { answers: changed.answers!.answers!, minScore: changed.minScore },
        { answers: c.answers!.answers!, minScore: c.minScore },
        'harmonic',
      );
      return score.acceptable && i % 7 !== 0 ? score.score : Number.NaN;
    });
    expect([...scores]).toEqual(expected);
    expect(expected.some(Number.isNaN)).toBe(true);
    const hiding = (j: number) => Number.parseInt(before.pairAt(j).candidateId.slice(-12), 16) % 7 === 0;
    expect([...positions].some(hiding)).toBe(true);
    expect(expected.some((score) => !Number.isNaN(score))).toBe(true);

    const closed = await scoresNow(index, WS, 'job', [job(1, false)], 'harmonic', before, positions);
    expect([...closed].every(Number.isNaN)).toBe(true);
  });
});
