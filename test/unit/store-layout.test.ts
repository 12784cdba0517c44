import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { kindOf } from '../../src/matching/engine/kinds/index.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { satisfactionOf } from '../../src/matching/engine/pair-score.ts';
import { arbMarket, arbQuestionnaire } from '../support/random-market.ts';

describe('a row’s expectation record', () => {
  it('holds every cell apart, aligned to its type, inside the record', () => {
    fc.assert(
      fc.property(arbQuestionnaire(), (questionnaire) => {
        const layout = compileLayout(questionnaire);
        const { record } = layout;
        const cells: [from: number, to: number][] = [[0, layout.count]];
        layout.criteria.forEach((criterion, c) => {
          const at = layout.acceptAt[c]!;
          const { accept } = kindOf(criterion.kind).cells(criterion);
          if (accept === 'masks') cells.push([4 * at, 4 * at + 4]);
          if (accept === 'steps') cells.push([at, at + 2]);
          if (accept === 'nums') cells.push([8 * at, 8 * at + 16]);
        });
        cells.push(
          [8 * record.minScore, 8 * record.minScore + 8],
          [8 * record.weight, 8 * record.weight + 8],
        );
        expect(record.bytes % 8).toBe(0);
        expect(record.words * 4).toBe(record.bytes);
        expect(record.doubles * 8).toBe(record.bytes);
        cells.sort((a, b) => a[0] - b[0]);
        cells.forEach(([from, to], i) => {
          expect(to).toBeLessThanOrEqual(record.bytes);
          if (i > 0) expect(from).toBeGreaterThanOrEqual(cells[i - 1]![1]);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('survives the store growing: every row scores as in a store that never grew', () => {
    fc.assert(
      fc.property(arbMarket(), (market) => {
        const layout = compileLayout(market.questionnaire);
        const grown = { jobs: new ProfileStore(layout, 1), candidates: new ProfileStore(layout, 1) };
        const roomy = { jobs: new ProfileStore(layout, 512), candidates: new ProfileStore(layout, 512) };
        for (const store of [grown, roomy]) {
          for (const job of market.jobs) store.jobs.upsert(job);
          for (const candidate of market.candidates) store.candidates.upsert(candidate);
        }
        for (const job of market.jobs) {
          for (const candidate of market.candidates) {
            const [gj, gc] = [grown.jobs.slotOf(job.id), grown.candidates.slotOf(candidate.id)];
            const [rj, rc] = [roomy.jobs.slotOf(job.id), roomy.candidates.slotOf(candidate.id)];
            expect(satisfactionOf(grown.jobs, gj, grown.candidates, gc)).toBe(
              satisfactionOf(roomy.jobs, rj, roomy.candidates, rc),
            );
            expect(satisfactionOf(grown.candidates, gc, grown.jobs, gj)).toBe(
              satisfactionOf(roomy.candidates, rc, roomy.jobs, rj),
            );
            expect(grown.candidates.minScoreOf(gc)).toBe(candidate.minScore);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('finds every id by its slot after a store made for one row grew to thousands, with removals between', () => {
    fc.assert(
      fc.property(arbQuestionnaire(), (questionnaire) => {
        const store = new ProfileStore(compileLayout(questionnaire), 1);
        const idOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
        for (let i = 0; i < 3_000; i++) {
          store.upsert({ id: idOf(i), minScore: 0, answers: {} });
          if (i % 3 === 2) store.remove(idOf(i - 1));
        }
        for (let i = 0; i < 3_000; i++) {
          const slot = store.slotOf(idOf(i));
          if (i % 3 === 1) expect(slot).toBe(-1);
          else expect(store.idAt(slot)).toBe(idOf(i));
        }
      }),
      { numRuns: 5 },
    );
  });

  it('keeps its rows when room is reserved half-way through filling it, and grows no more (nor its id table) until that room is used', () => {
    fc.assert(
      fc.property(arbMarket(), fc.nat(), (market, cut) => {
        const layout = compileLayout(market.questionnaire);
        const reserved = new ProfileStore(layout, 1);
        const roomy = new ProfileStore(layout, 4096);
        const half = cut % (market.candidates.length + 1);
        let room = 0;
        let bytes = 0;
        market.candidates.forEach((candidate, i) => {
          if (i === half) {
            // past the room a new store starts with, so the reservation moves every column
            reserved.reserve(market.candidates.length + 2_000);
            room = reserved.capacity;
            // and a sixteenth more, for the writes after a load
            expect(room).toBe(Math.ceil((market.candidates.length + 2_000) * (1 + 1 / 16)));
            bytes = reserved.byteSize();
          }
          reserved.upsert(candidate);
          roomy.upsert(candidate);
        });
        if (half < market.candidates.length) {
          expect(reserved.capacity).toBe(room);
          expect(reserved.byteSize()).toBe(bytes);
        }
        const jobs = new ProfileStore(layout, 1);
        for (const job of market.jobs) jobs.upsert(job);
        for (const candidate of market.candidates) {
          const [r, o] = [reserved.slotOf(candidate.id), roomy.slotOf(candidate.id)];
          expect(reserved.minScoreOf(r)).toBe(candidate.minScore);
          for (const job of market.jobs) {
            const j = jobs.slotOf(job.id);
            expect(satisfactionOf(reserved, r, jobs, j)).toBe(satisfactionOf(roomy, o, jobs, j));
            expect(satisfactionOf(jobs, j, reserved, r)).toBe(satisfactionOf(jobs, j, roomy, o));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps employers only in a store that was given one: none for candidates, each job’s after growing', () => {
    fc.assert(
      fc.property(arbQuestionnaire(), (questionnaire) => {
        const layout = compileLayout(questionnaire);
        const idOf = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
        const candidates = new ProfileStore(layout, 1);
        const jobs = new ProfileStore(layout, 1);
        for (let i = 0; i < 2_000; i++) {
          candidates.upsert({ id: idOf(i), minScore: 0, answers: {} });
          jobs.upsert({ id: idOf(i), minScore: 0, answers: {}, employerId: `employer-${i % 7}` });
        }
        // A candidate costs no employer reference: the stores differ by the jobs' 4 bytes a row.
        expect(jobs.byteSize() - candidates.byteSize()).toBe(4 * jobs.capacity);
        for (let i = 0; i < 2_000; i++) {
          expect(candidates.employerIdAt(candidates.slotOf(idOf(i)))).toBeUndefined();
          expect(jobs.employerIdAt(jobs.slotOf(idOf(i)))).toBe(`employer-${i % 7}`);
        }
        // The first profile with an employer, late in a store without any, keeps it; the others none.
        const late = candidates.upsert({ id: idOf(5_000), minScore: 0, answers: {}, employerId: 'late' });
        expect(candidates.employerIdAt(late)).toBe('late');
        expect(candidates.employerIdAt(candidates.slotOf(idOf(3)))).toBeUndefined();
      }),
      { numRuns: 3 },
    );
  });
});
