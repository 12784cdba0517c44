import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pairsAbove } from '../../src/alerts/evaluate.ts';
import { Foresight } from '../../src/alerts/foresight.ts';
import type { AlertPair } from '../../src/alerts/found-pairs.ts';
import { AlertRegistry } from '../../src/alerts/registry.ts';
import { AlertScanThread } from '../../src/alerts/scan-thread.ts';
import { Turns } from '../../src/alerts/turns.ts';
import { idToWords } from '../../src/matching/engine/uuid-words.ts';
import { MatchIndex, type ProfileState } from '../../src/matching/index.ts';
import { scoreMethods } from '../../src/matching/types.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { miniAnswerSet } from '../support/alert-model.ts';
import { loadMini } from '../support/matching-factories.ts';

const WS = '00000000-0000-4000-8000-0000000000aa';
const id = (kind: number, i: number) => `00000000-0000-4000-8${kind}00-${i.toString(16).padStart(12, '0')}`;
const JOBS = 300;
const ALERTING = 40;
const BATCH = 90;

/** 300 jobs, every 7th alerting (at 0.4, 0.6 or 0.8), and a batch of 90 new candidates. */
async function market(method: (typeof scoreMethods)[number], seed: number) {
  const index = new MatchIndex(buildCatalog([await loadMini()]));
  const answers = fc.sample(miniAnswerSet, { seed, numRuns: JOBS + BATCH });
  const minScores = fc.sample(fc.constantFrom(0, 0.3, 0.5), { seed: seed + 1, numRuns: JOBS + BATCH });
  const profile = (kind: number, i: number, k: number): ProfileState => ({
    id: id(kind, i),
    minScore: minScores[k]!,
    employerId: kind === 1 ? id(9, i % 3) : undefined,
    open: true,
    answers: { questionnaireId: 'mini', questionnaireVersion: 1, answers: answers[k]! },
  });
  for (let i = 0; i < JOBS; i++) index.apply(WS, 'job', profile(1, i, i));
  const words = new Uint32Array(4 * ALERTING);
  const values = new Float64Array(ALERTING);
  for (let a = 0; a < ALERTING; a++) {
    words.set(idToWords(id(1, a * 7)), 4 * a);
    values[a] = [0.4, 0.6, 0.8][a % 3]!;
  }
  const none = { words: new Uint32Array(0), values: new Float64Array(0) };
  const registry = new AlertRegistry(1, { job: { words, values }, candidate: none });
  const batch = Array.from({ length: BATCH }, (_, i) => profile(2, i, JOBS + i));
  const onThread = async () => {
    const found = await pairsAbove(
      index,
      WS,
      'candidate',
      batch,
      method,
      registry.thresholds('candidate', []),
    );
    return found.all(new Turns());
  };
  return { index, registry, batch, onThread };
}

const key = (p: AlertPair) => `${p.alertOf}:${p.jobId}:${p.candidateId}:${p.score}`;

/**
 * A bulk batch scored ahead finds its pairs on the alert scan thread: the same pairs, in the same
 * order, as pairsAbove on the event loop; and when the thread fails, on the event loop after all.
 */
describe('AlertScanThread', () => {
  const threads: AlertScanThread[] = [];
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((thread) => thread.close()));
  });

  it('finds a batch’s pairs as pairsAbove does, for every score method', async () => {
    const thread = new AlertScanThread();
    threads.push(thread);
    const scans = vi.spyOn(thread, 'scan');
    for (const [seed, method] of scoreMethods.entries()) {
      const { index, registry, batch, onThread } = await market(method, seed + 11);
      const foresight = new Foresight(index, WS, 'candidate', batch, { registry, method }, thread);
      const away = await (await foresight.after)!.all(new Turns());
      const expected = await onThread();
      expect(expected.length).toBeGreaterThan(0);
      expect(away.map(key)).toEqual(expected.map(key));
    }
    expect(scans).toHaveBeenCalledTimes(scoreMethods.length);
    await expect(scans.mock.results[0]!.value).resolves.toBeDefined();
  });

  it('leaves the batch to the event loop when the thread dies, and starts a new one for the next', async () => {
    const method = scoreMethods[0]!;
    const { index, registry, batch, onThread } = await market(method, 3);
    const crashing = new AlertScanThread({
      workerUrl: new URL('../fixtures/alert-scan-workers/crashing.ts', import.meta.url),
    });
    threads.push(crashing);
    const scans = vi.spyOn(crashing, 'scan');
    const foresight = new Foresight(index, WS, 'candidate', batch, { registry, method }, crashing);
    const found = await (await foresight.after)!.all(new Turns());
    expect(found.map(key)).toEqual((await onThread()).map(key));
    await expect(scans.mock.results[0]!.value).resolves.toBeUndefined();
    // The next batch gets a thread again (which dies again: the pairs are still right).
    const next = new Foresight(index, WS, 'candidate', batch, { registry, method }, crashing);
    expect((await (await next.after)!.all(new Turns())).map(key)).toEqual(found.map(key));
    expect(scans).toHaveBeenCalledTimes(2);
    await expect(scans.mock.results[1]!.value).resolves.toBeUndefined();
  });

  it('is not asked for a batch it does not take: one with hidden employers scores on the event loop', async () => {
    const method = scoreMethods[0]!;
    const { index, registry, batch } = await market(method, 5);
    const thread = new AlertScanThread();
    threads.push(thread);
    const scans = vi.spyOn(thread, 'scan');
    const hiding = batch.map((state, i) =>
      i === 0 ? { ...state, hiddenFromEmployerIds: [id(9, 1)] } : state,
    );
    const foresight = new Foresight(index, WS, 'candidate', hiding, { registry, method }, thread);
    expect(await foresight.after).toBeDefined();
    expect(scans).not.toHaveBeenCalled();
  });
});
