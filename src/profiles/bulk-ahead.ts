import type { Foresight } from '../alerts/foresight.ts';
import type { MarketWrites } from '../alerts/service.ts';
import type { BulkEntry } from './bulk.ts';
import { type CandidateLine, newCandidateStates, newIds } from './bulk-repository.ts';

type Batch = BulkEntry<CandidateLine>[];

/**
 * A candidate bulk request's batches with their alert pairs scored ahead of their writes
 * (src/alerts/foresight.ts), so that batch k+1 is scored while batch k is written. writeBulk tells
 * of each batch as the one before it starts; its scoring starts once the one before it is scored.
 * Each batch is foreseen as new candidates: once a foresight is not used (its lines updated
 * candidates, or the market moved), the request foresees no more.
 */
export class CandidateBatchesAhead {
  private readonly alerts: Pick<MarketWrites, 'foresee'>;
  private readonly workspaceId: string;
  private readonly batches = new Map<Batch, { ids: string[]; foresight: Promise<Foresight | undefined> }>();
  private readonly foreseen: Foresight[] = [];
  private last: Promise<unknown> = Promise.resolve();

  constructor(alerts: Pick<MarketWrites, 'foresee'>, workspaceId: string) {
    this.alerts = alerts;
    this.workspaceId = workspaceId;
  }

  foresee(batch: Batch): void {
    if (this.missedOne()) return;
    const ids = newIds(batch.length);
    const foresight = this.last
      .then(() =>
        this.missedOne()
          ? undefined
          : this.alerts.foresee(this.workspaceId, 'candidate', () => newCandidateStates(batch, ids)),
      )
      // Scoring ahead is an optimisation: when it cannot start, the write scores as usual.
      .catch(() => undefined);
    this.last = foresight.then((started) => {
      if (started) this.foreseen.push(started);
      return started?.after;
    });
    this.batches.set(batch, { ids, foresight });
  }

  /** The ids and foresight of a batch told of; undefined for any other (a line written alone after its batch failed). */
  take(batch: Batch): { ids: string[]; foresight: Promise<Foresight | undefined> } | undefined {
    const told = this.batches.get(batch);
    this.batches.delete(batch);
    return told;
  }

  private missedOne(): boolean {
    return this.foreseen.some((foresight) => foresight.outcome === 'missed');
  }
}
