import type { AnswerSet } from '../answers/types.ts';
import type { QuestionnaireCatalog } from '../questionnaires/loader.ts';
import { ProfileStore } from './engine/columnar-store.ts';
import { compileLayout, type Layout } from './engine/layout.ts';
import { copyRow, layoutKey, packAnswers, upsertPacked } from './engine/packed-row.ts';
import { type PairRow, pairRow } from './engine/pair-check.ts';
import { type KeptRow, listingOf, type RankedRow, type RankRequest, rankRange } from './engine/search.ts';
import type { RankPool } from './engine/slice-pool.ts';
import { HiddenPairs } from './hidden-pairs.ts';
import { TouchLog } from './touch-log.ts';
import type { ScoreMethod } from './types.ts';

export type IndexSide = 'job' | 'candidate';

/** What the index needs to know of a profile; answers null, a closed job or a paused candidate: not matchable. */
export interface ProfileState {
  id: string;
  minScore: number;
  employerId?: string | undefined;
  /** false: a closed job or a paused candidate */
  open?: boolean | undefined;
  /** candidates only: the employers whose jobs the candidate is hidden from (and does not see) */
  hiddenFromEmployerIds?: readonly string[] | undefined;
  answers: {
    questionnaireId: string;
    questionnaireVersion: number;
    /** null when the packed row below fits the current layout (then it is not read at all) */
    answers: AnswerSet | null;
    indexRow?: Uint8Array | null | undefined;
    indexLayout?: string | null | undefined;
  } | null;
}

export interface PackedRow {
  indexRow: Buffer;
  indexLayout: string;
}

/** The jobs and candidates of one workspace that answered one questionnaire version. */
export class Market {
  readonly layout: Layout;
  readonly jobs: ProfileStore;
  readonly candidates: ProfileStore;
  /** Counts the writes to each side's store: a pass that reads a store off the event loop, or ahead of a write (alerts' Foresight), checks it did not move. */
  readonly writes: Record<IndexSide, number> = { job: 0, candidate: 0 };

  constructor(layout: Layout) {
    this.layout = layout;
    this.jobs = new ProfileStore(layout);
    this.candidates = new ProfileStore(layout);
  }

  store(side: IndexSide): ProfileStore {
    return side === 'job' ? this.jobs : this.candidates;
  }

  /** Every write to either store so far. */
  get changes(): number {
    return this.writes.job + this.writes.candidate;
  }
}

export interface MatchList {
  questionnaireId: string;
  questionnaireVersion: number;
  rows: (RankedRow & { id: string; employerId?: string | undefined })[];
  hasMore: boolean;
}

/**
 * The in-process, exact match index (docs/architecture.md#the-match-index): per workspace and questionnaire version, every
 * open job and every candidate with answers, packed for the scan. PostgreSQL stays the truth;
 * this is a cache rebuilt at start and kept current by the writers and the change feed.
 */
export class MatchIndex {
  private readonly workspaces = new Map<string, Map<string, Market>>();
  private readonly layouts = new Map<string, Layout>();
  private readonly layoutKeys = new Map<Layout, string>();
  private readonly hidden = new HiddenPairs();
  /** jobMatchesAmong's candidate flags, per set of names and market */
  private readonly flagsOf = new WeakMap<
    ReadonlySet<string>,
    Map<Market, { changes: number; flags: Uint8Array }>
  >();
  private readonly questionnaires: QuestionnaireCatalog;
  private readonly split: Split;
  loaded = false;
  /** What was put in lately, so a write's own states never overwrite a newer one (see TouchLog). */
  readonly touches = new TouchLog();
  /** How long the start-up load took, once it is done. */
  loadSeconds: number | undefined;
  /** Told how long each listing's ranking took, by the side of the profile it lists for, and on which thread: the request's, or a rank thread's whole (matchesOfAway). */
  onListing: ((side: IndexSide, seconds: number, thread: 'request' | 'rank') => void) | undefined;

  /**
   * `split.pool`: threads that a listing over at least `split.splitFrom` rows is split over
   * (matchesOf), and that listings over at least `split.awayFrom` rows are queued on whole
   * (matchesOfAway).
   */
  constructor(questionnaires: QuestionnaireCatalog, split: Split = {}) {
    this.questionnaires = questionnaires;
    this.split = split;
  }

  /** Puts a profile where its current state says it belongs (or nowhere). */
  apply(workspaceId: string, side: IndexSide, state: ProfileState): void {
    if (side === 'candidate') this.hidden.set(workspaceId, state.id, state.hiddenFromEmployerIds);
    const target =
      state.answers && state.open !== false ? this.marketFor(workspaceId, state.answers) : undefined;
    for (const market of this.workspaces.get(workspaceId)?.values() ?? []) {
      if (market !== target && market.store(side).remove(state.id)) market.writes[side]++;
    }
    if (!target || !state.answers) return;
    target.writes[side]++;
    this.put(target.store(side), state);
  }

  /**
   * The given profiles as they would be indexed, in stores of their own, one per market (created
   * when missing), leaving the index as it is: alerts score a write before it commits
   * (src/alerts/evaluate.ts). Profiles that are not matchable (no answers, a closed job, a paused candidate)
   * are left out.
   */
  stage(workspaceId: string, states: ProfileState[]): { market: Market; staged: ProfileStore }[] {
    const groups = new Map<Market, ProfileStore>();
    for (const state of states) {
      if (!state.answers || state.open === false) continue;
      const market = this.marketFor(workspaceId, state.answers);
      let staged = groups.get(market);
      if (!staged) {
        staged = new ProfileStore(market.layout, states.length);
        groups.set(market, staged);
      }
      this.put(staged, state);
    }
    return [...groups].map(([market, staged]) => ({ market, staged }));
  }

  /**
   * The given profiles as the index holds them now, before a write changes them, copied into stores
   * of their own as `stage` makes them: alerts diff a write's pairs after against before
   * (src/alerts/service.ts). With them, the states they stand for: id, minScore, employer and hidden
   * list as indexed (no answers: the rows are copied). Profiles the index does not hold are left out.
   */
  stageIndexed(
    workspaceId: string,
    side: IndexSide,
    ids: readonly string[],
  ): { states: ProfileState[]; groups: { market: Market; staged: ProfileStore }[] } {
    const states: ProfileState[] = [];
    const groups: { market: Market; staged: ProfileStore }[] = [];
    for (const market of this.workspaces.get(workspaceId)?.values() ?? []) {
      const store = market.store(side);
      let staged: ProfileStore | undefined;
      for (const id of ids) {
        const slot = store.slotOf(id);
        if (slot < 0 || !store.active[slot]) continue;
        staged ??= new ProfileStore(market.layout, ids.length);
        const employerId = store.employerIdAt(slot);
        copyRow(store, slot, staged, { id, minScore: store.minScoreOf(slot), employerId });
        const hiddenFrom = side === 'candidate' ? this.hidden.employersHiddenBy(workspaceId, id) : undefined;
        states.push({
          id,
          minScore: store.minScoreOf(slot),
          employerId,
          hiddenFromEmployerIds: hiddenFrom && [...hiddenFrom],
          answers: null,
        });
      }
      if (staged) groups.push({ market, staged });
    }
    return { states, groups };
  }

  private put(store: ProfileStore, state: ProfileState): void {
    if (!state.answers) return;
    const { answers, indexRow, indexLayout } = state.answers;
    const profile = { id: state.id, minScore: state.minScore, employerId: state.employerId };
    if (indexRow && indexLayout === this.keyOf(store.layout) && upsertPacked(store, profile, indexRow))
      return;
    if (!answers) throw new Error(`profile ${state.id} has neither answers nor a fitting index row`);
    store.upsert({ ...profile, answers });
  }

  /** Index rows for answer sets, to store beside them (start-up then skips their JSON). */
  pack(
    answerSets: { questionnaireId: string; questionnaireVersion: number; answers: AnswerSet }[],
  ): PackedRow[] {
    const rows: PackedRow[] = new Array(answerSets.length);
    const byLayout = new Map<Layout, number[]>();
    answerSets.forEach(({ questionnaireId, questionnaireVersion }, i) => {
      const layout = this.layoutFor(questionnaireId, questionnaireVersion);
      const positions = byLayout.get(layout) ?? [];
      positions.push(i);
      byLayout.set(layout, positions);
    });
    for (const [layout, positions] of byLayout) {
      const packed = packAnswers(
        layout,
        positions.map((i) => answerSets[i]!.answers),
      );
      positions.forEach((i, k) => {
        rows[i] = { indexRow: packed[k]!, indexLayout: this.keyOf(layout) };
      });
    }
    return rows;
  }

  /** The layout keys of every questionnaire version this process knows: rows with these load packed. */
  currentLayoutKeys(): string[] {
    return this.questionnaires
      .list()
      .flatMap((latest) =>
        Array.from({ length: latest.version }, (_, i) => this.questionnaires.get(latest.id, i + 1)).filter(
          (q) => q !== undefined,
        ),
      )
      .map((q) => this.keyOf(this.layoutFor(q.id, q.version)));
  }

  private keyOf(layout: Layout): string {
    let key = this.layoutKeys.get(layout);
    if (!key) {
      key = layoutKey(layout);
      this.layoutKeys.set(layout, key);
    }
    return key;
  }

  remove(workspaceId: string, side: IndexSide, id: string): void {
    if (side === 'candidate') this.hidden.set(workspaceId, id, undefined);
    for (const market of this.workspaces.get(workspaceId)?.values() ?? []) {
      if (market.store(side).remove(id)) market.writes[side]++;
    }
  }

  /**
   * The market of a workspace's answers to one questionnaire version, or an empty one (not kept)
   * when the workspace has no profile there yet.
   */
  marketOf(workspaceId: string, answers: { questionnaireId: string; questionnaireVersion: number }): Market {
    return (
      this.workspaces.get(workspaceId)?.get(marketKey(answers)) ??
      new Market(this.layoutFor(answers.questionnaireId, answers.questionnaireVersion))
    );
  }

  /** Whether `market` is still one of the workspace's (a reload replaces them). */
  holdsMarket(workspaceId: string, market: Market): boolean {
    for (const held of this.workspaces.get(workspaceId)?.values() ?? []) if (held === market) return true;
    return false;
  }

  /** The employer of an indexed (open) job, undefined when the index does not hold it. */
  employerOfJob(workspaceId: string, jobId: string): string | undefined {
    for (const market of this.workspaces.get(workspaceId)?.values() ?? []) {
      const slot = market.jobs.slotOf(jobId);
      if (slot >= 0) return market.jobs.employerIdAt(slot);
    }
    return undefined;
  }

  /** The ranked, reciprocally acceptable matches of one indexed profile. */
  matchesOf(workspaceId: string, side: IndexSide, id: string, request: RankRequest): MatchList | undefined {
    const found = this.listingSubject(workspaceId, side, id, request);
    if (!found) return undefined;
    const { market, subject, slot, others, full } = found;
    return this.rank(market, side, subject, slot, others, full);
  }

  /**
   * A job's matchesOf among only these candidates (an allocation restricted to `candidateIds`):
   * the best `limit` of them, which the best `limit` of every candidate, filtered, could miss.
   */
  jobMatchesAmong(
    workspaceId: string,
    jobId: string,
    candidateIds: ReadonlySet<string>,
    request: RankRequest,
  ): MatchList | undefined {
    const found = this.listingSubject(workspaceId, 'job', jobId, request);
    if (!found) return undefined;
    const { market, subject, slot, others, full } = found;
    const only = this.candidateFlags(market, candidateIds);
    return this.rank(market, 'job', subject, slot, others, { ...full, only });
  }

  /**
   * One flag per candidate row of the market (1: named), kept for the next job of the same
   * allocation while the market has not changed (a write may reuse a freed row).
   */
  private candidateFlags(market: Market, ids: ReadonlySet<string>): Uint8Array {
    const byMarket = this.flagsOf.get(ids) ?? new Map<Market, { changes: number; flags: Uint8Array }>();
    this.flagsOf.set(ids, byMarket);
    const kept = byMarket.get(market);
    if (kept && kept.changes === market.changes) return kept.flags;
    const store = market.candidates;
    const flags = new Uint8Array(store.end);
    for (const id of ids) {
      const row = store.slotOf(id);
      if (row >= 0) flags[row] = 1;
    }
    byMarket.set(market, { changes: market.changes, flags });
    return flags;
  }

  /**
   * matchesOf, queued whole for a worker thread while the event loop goes on when the listing is
   * large enough to be worth it (split.awayFrom), however large: concurrent listings and an
   * allocation's hundreds want the event loop and the CPU, not each listing's wait, and a split
   * one holds the loop while the threads rank, each slice paying the fixed stages again
   * (RankPool.rankAway: the calling thread takes it back and ranks it itself when it is free
   * before the thread). The threads read the stores as they are, so a write that lands meanwhile
   * (the market's `changes` moved) sends the listing back to the calling thread, ranked there on
   * the market as it now is; so does a thread that fails. Either way the list is the one matchesOf would give at the moment
   * it is returned or at the moment it was queued.
   *
   * `among`: a job's jobMatchesAmong these candidates.
   */
  async matchesOfAway(
    workspaceId: string,
    side: IndexSide,
    id: string,
    request: RankRequest,
    { among }: { among?: ReadonlySet<string> | undefined } = {},
  ): Promise<MatchList | undefined> {
    const { pool, awayFrom = Number.POSITIVE_INFINITY } = this.split;
    const found = this.listingSubject(workspaceId, side, id, request);
    if (!found) return undefined;
    const { market, subject, slot, others } = found;
    const full = among ? { ...found.full, only: this.candidateFlags(market, among) } : found.full;
    if (!pool || others.end < awayFrom) return this.rank(market, side, subject, slot, others, full);
    const changes = market.changes;
    const started = performance.now();
    const away = pool.rankAway(subject, slot, others, full);
    const kept = away && (await away);
    if (!kept || market.changes !== changes)
      return among
        ? this.jobMatchesAmong(workspaceId, id, among, request)
        : this.matchesOf(workspaceId, side, id, request);
    this.onListing?.(side, (performance.now() - started) / 1000, 'rank');
    return this.listed(market, subject, slot, others, full, kept);
  }

  /** Where an indexed profile's listing reads: its market, its row, the other side, and the request with the rows hidden from it. */
  private listingSubject(workspaceId: string, side: IndexSide, id: string, request: RankRequest) {
    for (const market of this.workspaces.get(workspaceId)?.values() ?? []) {
      const subject = market.store(side);
      const slot = subject.slotOf(id);
      if (slot < 0) continue;
      const excluded =
        side === 'job'
          ? this.hidingFrom(workspaceId, subject.employerIdAt(slot), market.candidates)
          : this.hiddenJobs(workspaceId, id, market.jobs);
      const others = side === 'job' ? market.candidates : market.jobs;
      return { market, subject, slot, others, full: excluded ? { ...request, excluded } : request };
    }
    return undefined;
  }

  /** The pair as the job's listing reports it, or undefined when no listing holds it (one pair, not a scan). */
  pairOf(workspaceId: string, jobId: string, candidateId: string, method: ScoreMethod): PairRow | undefined {
    for (const market of this.workspaces.get(workspaceId)?.values() ?? []) {
      const j = market.jobs.slotOf(jobId);
      if (j < 0) continue;
      if (this.hidden.hides(workspaceId, candidateId, market.jobs.employerIdAt(j))) return undefined;
      return pairRow(market.jobs, j, market.candidates, market.candidates.slotOf(candidateId), method);
    }
    return undefined;
  }

  /**
   * The rows of `market`'s other side a subject must not see (a candidate's privacy): for a job,
   * the candidates hiding from its employer; for a candidate, the jobs of the employers it hides
   * from. Undefined when there are none.
   */
  hiddenRows(
    workspaceId: string,
    market: Market,
    subject: { side: IndexSide; id: string; employerId?: string | undefined },
  ): ReadonlySet<number> | undefined {
    return subject.side === 'job'
      ? this.hidingFrom(workspaceId, subject.employerId, market.candidates)
      : this.hiddenJobs(workspaceId, subject.id, market.jobs);
  }

  /**
   * As hiddenRows, for a profile about to be written (alerts score it before it is indexed): a
   * candidate's hidden list is taken from its new state, not from the index.
   */
  hiddenRowsOf(workspaceId: string, market: Market, side: IndexSide, state: ProfileState) {
    return side === 'job'
      ? this.hidingFrom(workspaceId, state.employerId, market.candidates)
      : this.jobsOfEmployers(state.hiddenFromEmployerIds, market.jobs);
  }

  /** The rows of the candidates hiding from the employer, when any do. */
  private hidingFrom(workspaceId: string, employerId: string | undefined, candidates: ProfileStore) {
    const hiders =
      employerId === undefined ? undefined : this.hidden.candidatesHidingFrom(workspaceId, employerId);
    if (!hiders) return undefined;
    const rows = new Set<number>();
    for (const id of hiders) {
      const slot = candidates.slotOf(id);
      if (slot >= 0) rows.add(slot);
    }
    return rows;
  }

  /** The rows of the jobs of the employers the candidate hides from, when it hides from any. */
  private hiddenJobs(workspaceId: string, candidateId: string, jobs: ProfileStore) {
    return this.jobsOfEmployers(this.hidden.employersHiddenBy(workspaceId, candidateId), jobs);
  }

  private jobsOfEmployers(ids: Iterable<string> | undefined, jobs: ProfileStore) {
    const employers = ids && new Set(ids);
    if (!employers?.size) return undefined;
    const rows = new Set<number>();
    for (let slot = 0; slot < jobs.end; slot++) {
      if (jobs.active[slot] && employers.has(jobs.employerIdAt(slot)!)) rows.add(slot);
    }
    return rows;
  }

  /** Ranks an unstored profile against the stored other side (POST /v1/match). */
  matchesOfAdHoc(
    workspaceId: string,
    side: IndexSide,
    profile: {
      id: string;
      minScore: number;
      answers: { questionnaireId: string; questionnaireVersion: number; answers: AnswerSet };
    },
    request: RankRequest,
  ): MatchList {
    const layout = this.layoutFor(profile.answers.questionnaireId, profile.answers.questionnaireVersion);
    const scratch = new ProfileStore(layout, 1);
    const slot = scratch.upsert({
      id: profile.id,
      minScore: profile.minScore,
      answers: profile.answers.answers,
    });
    const market = this.workspaces.get(workspaceId)?.get(marketKey(profile.answers));
    const others = market ? (side === 'job' ? market.candidates : market.jobs) : new ProfileStore(layout);
    return this.rank(market ?? new Market(layout), side, scratch, slot, others, request);
  }

  /**
   * Sizes a market's store for `rows` profiles before a load fills it: growing on the way copies
   * every column into fresh memory again and again (2.4 s of a 1M start-up).
   */
  reserve(
    workspaceId: string,
    side: IndexSide,
    answers: { questionnaireId: string; questionnaireVersion: number },
    rows: number,
  ): void {
    this.marketFor(workspaceId, answers).store(side).reserve(rows);
  }

  /** Releases growth room in every store; called once the start-up load is done. */
  trim(): void {
    for (const markets of this.workspaces.values()) {
      for (const market of markets.values()) {
        market.jobs.trim();
        market.candidates.trim();
      }
    }
  }

  /**
   * Ranks, and throws away, one job's and one candidate's listing in the largest market: the
   * engine's loops are then compiled before the first request rather than during it (at 1M the
   * first listing after a start took 177–187 ms, the next ones about 45 ms). Once, after the load.
   */
  warmUp(): void {
    const markets = [...this.workspaces.values()].flatMap((byLayout) => [...byLayout.values()]);
    const size = (market: Market) => market.jobs.size + market.candidates.size;
    const largest = markets.reduce<Market | undefined>(
      (a, b) => (a && size(a) >= size(b) ? a : b),
      undefined,
    );
    if (!largest) return;
    const request: RankRequest = { limit: 1, method: 'harmonic' };
    for (const [subject, others] of [
      [largest.jobs, largest.candidates],
      [largest.candidates, largest.jobs],
    ] as const) {
      const slot = subject.active.subarray(0, subject.end).indexOf(1);
      if (slot >= 0 && others.size > 0) this.ranked(subject, slot, others, request);
    }
  }

  /** Profiles and bytes held, per side and in all, and the workspaces with any profile. */
  stats() {
    const sides = { job: { profiles: 0, bytes: 0 }, candidate: { profiles: 0, bytes: 0 } };
    let workspaces = 0;
    for (const markets of this.workspaces.values()) {
      let held = 0;
      for (const market of markets.values()) {
        for (const side of ['job', 'candidate'] as const) {
          const store = market.store(side);
          held += store.size;
          sides[side].profiles += store.size;
          sides[side].bytes += store.byteSize();
        }
      }
      if (held > 0) workspaces++;
    }
    const profiles = sides.job.profiles + sides.candidate.profiles;
    const bytes = sides.job.bytes + sides.candidate.bytes;
    return { profiles, bytes, bytesPerProfile: profiles === 0 ? 0 : bytes / profiles, sides, workspaces };
  }

  private rank(
    market: Market,
    side: IndexSide,
    subject: ProfileStore,
    slot: number,
    others: ProfileStore,
    request: RankRequest,
  ) {
    const started = performance.now();
    const kept = this.ranked(subject, slot, others, request);
    this.onListing?.(side, (performance.now() - started) / 1000, 'request');
    return this.listed(market, subject, slot, others, request, kept);
  }

  /** The best `limit + 1` rows, split over the rank threads when the other side is large enough. */
  private ranked(subject: ProfileStore, slot: number, others: ProfileStore, request: RankRequest): KeptRow[] {
    const { pool, splitFrom = 0 } = this.split;
    return pool && others.end >= splitFrom
      ? pool.rank(subject, slot, others, request)
      : rankRange(subject, slot, others, request, 0, others.end);
  }

  /** The page of a listing from its ranked rows, with the rows' ids. */
  private listed(
    market: Market,
    subject: ProfileStore,
    slot: number,
    others: ProfileStore,
    request: RankRequest,
    kept: KeptRow[],
  ): MatchList {
    const { rows, hasMore } = listingOf(subject, slot, others, request, kept);
    return {
      questionnaireId: market.layout.questionnaireId,
      questionnaireVersion: market.layout.version,
      rows: rows.map((row) => ({
        ...row,
        id: others.idAt(row.slot),
        employerId: others.employerIdAt(row.slot),
      })),
      hasMore,
    };
  }

  private marketFor(workspaceId: string, answers: { questionnaireId: string; questionnaireVersion: number }) {
    let markets = this.workspaces.get(workspaceId);
    if (!markets) {
      markets = new Map();
      this.workspaces.set(workspaceId, markets);
    }
    const key = marketKey(answers);
    let market = markets.get(key);
    if (!market) {
      market = new Market(this.layoutFor(answers.questionnaireId, answers.questionnaireVersion));
      markets.set(key, market);
    }
    return market;
  }

  private layoutFor(questionnaireId: string, version: number): Layout {
    const key = `${questionnaireId}@${version}`;
    let layout = this.layouts.get(key);
    if (!layout) {
      const questionnaire = this.questionnaires.get(questionnaireId, version);
      if (!questionnaire) throw new Error(`answers refer to unknown questionnaire ${key}`);
      layout = compileLayout(questionnaire);
      this.layouts.set(key, layout);
    }
    return layout;
  }
}

interface Split {
  pool?: RankPool | undefined;
  splitFrom?: number | undefined;
  awayFrom?: number | undefined;
}

function marketKey(answers: { questionnaireId: string; questionnaireVersion: number }): string {
  return `${answers.questionnaireId}@${answers.questionnaireVersion}`;
}
