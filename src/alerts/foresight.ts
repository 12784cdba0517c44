import { isDeepStrictEqual } from 'node:util';
import type { IndexSide, Market, MatchIndex, ProfileState } from '../matching/index.ts';
import type { ScoreMethod } from '../matching/types.ts';
import { pairsAbove, SCAN_CHANGED_FROM, type Staging, slotsOf, type Thresholds } from './evaluate.ts';
import { FoundPairs } from './found-pairs.ts';
import type { AlertRegistry } from './registry.ts';
import type { AlertScanThread } from './scan-thread.ts';

/**
 * A bulk batch's pairs above an alert's threshold, scored ahead of its write: outside the market
 * lock, while the batch before it is written (bulk batches run one after another under the lock,
 * and PostgreSQL's share of a batch is about as long as the scoring). Scored as `pairsAbove` would
 * under the lock, with the registry and score method the workspace's last evaluation read, from
 * the states the batch will have if every line is new (its ids made beforehand).
 *
 * The write keeps them only if nothing they depend on differs (`pairsFor`): its registry and
 * method are the same objects, its states are the foreseen ones, and the other side's stores have
 * not been written since the scan started (every write to a store counts, Market.writes; the
 * write's own catch-up under the lock included). Otherwise it scores as usual.
 */
export class Foresight {
  private readonly index: MatchIndex;
  private readonly workspaceId: string;
  private readonly side: IndexSide;
  private readonly states: readonly ProfileState[];
  private readonly registry: AlertRegistry;
  private readonly method: ScoreMethod;
  /** The markets scanned, and their other side's write count when the scan started. */
  private readonly scanned: { market: Market; writes: number }[];
  /** The pairs, once scored; undefined when the scoring failed. */
  readonly after: Promise<FoundPairs | undefined>;
  /** Whether the write kept the pairs: undefined until it decided. */
  outcome: 'used' | 'missed' | undefined;

  constructor(
    index: MatchIndex,
    workspaceId: string,
    side: IndexSide,
    states: ProfileState[],
    { registry, method }: { registry: AlertRegistry; method: ScoreMethod },
    thread?: AlertScanThread,
  ) {
    this.index = index;
    this.workspaceId = workspaceId;
    this.side = side;
    this.states = states;
    this.registry = registry;
    this.method = method;
    const staging = index.stage(workspaceId, states);
    const other = side === 'job' ? 'candidate' : 'job';
    this.scanned = staging.map(({ market }) => ({ market, writes: market.writes[other] }));
    const thresholds = registry.thresholds(
      side,
      states.map((state) => state.id),
    );
    const here = () => pairsAbove(index, workspaceId, side, states, method, thresholds, undefined, staging);
    const away = scanAway(side, states, staging, thresholds, method, thread);
    this.after = (away ? away.then((found) => found ?? here()) : here()).catch(() => undefined);
  }

  /**
   * The foreseen pairs, when they are the ones the write would score now (under the market lock,
   * with `registry` and `method` as it read them, for its `states`); undefined otherwise.
   */
  async pairsFor(
    side: IndexSide,
    states: readonly ProfileState[],
    registry: AlertRegistry,
    method: ScoreMethod,
  ): Promise<FoundPairs | undefined> {
    const fits =
      side === this.side &&
      registry === this.registry &&
      method === this.method &&
      isDeepStrictEqual(states, this.states);
    const after = fits ? await this.after : undefined;
    const other = side === 'job' ? 'candidate' : 'job';
    const unmoved = this.scanned.every(
      ({ market, writes }) =>
        market.writes[other] === writes && this.index.holdsMarket(this.workspaceId, market),
    );
    this.outcome = after && unmoved ? 'used' : 'missed';
    return this.outcome === 'used' ? after : undefined;
  }
}

/**
 * The batch's pairs found on the alert scan thread (another core), when it is a batch the thread
 * takes: candidates of one market, none with an alert or hidden employers of its own, 32 or more
 * (so pairsAbove would let each alerting job scan the batch), and the thread idle. The thread
 * runs those same scans, in the same order; undefined when it does not take the batch, and a
 * promise of undefined when it failed (the caller then scores on its own thread).
 */
function scanAway(
  side: IndexSide,
  states: readonly ProfileState[],
  staging: Staging,
  thresholds: Thresholds,
  method: ScoreMethod,
  thread: AlertScanThread | undefined,
): Promise<FoundPairs | undefined> | undefined {
  if (!thread || side !== 'candidate' || staging.length !== 1 || thresholds.own.size > 0) return undefined;
  if (states.some((state) => (state.hiddenFromEmployerIds?.length ?? 0) > 0)) return undefined;
  const { market, staged } = staging[0]!;
  const changed = slotsOf(staged);
  const jobs = market.store('job');
  const alerting = thresholds.others.rowsIn(jobs);
  if (alerting.count === 0 || changed.length < SCAN_CHANGED_FROM) return undefined;
  const slots = alerting.slots.slice(0, alerting.count);
  const scanned = thread.scan(jobs, staged, method, slots, alerting.thresholds.slice(0, alerting.count));
  return scanned?.then((pairs) => {
    if (!pairs) return undefined;
    const found = new FoundPairs(side);
    const owners: number[] = [];
    for (const s of changed) owners[s] = found.owner(staged.idAt(s));
    found.reserve(pairs.alerting.length);
    for (let i = 0; i < pairs.alerting.length; i++)
      found.add('job', owners[pairs.rows[i]!]!, jobs.ids, slots[pairs.alerting[i]!]!, pairs.scores[i]!);
    return found;
  });
}
