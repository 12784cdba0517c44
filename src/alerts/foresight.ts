import { isDeepStrictEqual } from 'node:util';
import type { IndexSide, Market, MatchIndex, ProfileState } from '../matching/index.ts';
import type { ScoreMethod } from '../matching/types.ts';
import { pairsAbove } from './evaluate.ts';
import type { FoundPairs } from './found-pairs.ts';
import type { AlertRegistry } from './registry.ts';

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
    this.after = pairsAbove(index, workspaceId, side, states, method, thresholds, undefined, staging).catch(
      () => undefined,
    );
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
