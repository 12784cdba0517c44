import type { Tx } from '../db/client.ts';
import { sql } from '../db/orm.ts';
import { rowsOf } from '../db/rows.ts';
import type { CandidateLine, JobLine } from './bulk-repository.ts';

/** The stored columns of the fields a line may leave out (bulk-lines.ts keptWhenLeftOut). */
const storedColumns = {
  headline: 'headline',
  minScore: 'min_score',
  capacity: 'capacity',
  status: 'status',
} as const;
type KeptField = keyof typeof storedColumns;

/** A stored record keepStoredFields read: its id, and a job's employer (null for a candidate). */
type KnownRow = { external_id: string; id: string; employer_id: string | null };

/**
 * Records whose line left fields out take those fields as stored, where the record exists: the
 * upsert then writes them back unchanged (new records keep the defaults the line schema gave). The
 * rows are locked, so a PATCH cannot slip between this read and the write. Lines that give every
 * field (a full sync) cost nothing here. Returns the rows read, so that they are not read again.
 */
export async function keepStoredFields(
  tx: Tx,
  table: 'candidates' | 'jobs',
  workspaceId: string,
  records: (CandidateLine | JobLine)[],
): Promise<KnownRow[]> {
  const partial = records.filter((r) => r.leftOut);
  if (partial.length === 0) return [];
  const fields = Object.keys(storedColumns).filter((f) =>
    partial.some((r) => r.leftOut!.includes(f)),
  ) as KeptField[];
  const columns = sql.join(
    fields.map((f) => sql`, ${sql.identifier(storedColumns[f])} as ${sql.identifier(f)}`),
    sql``,
  );
  const employer = table === 'jobs' ? sql`employer_id` : sql`null::uuid as employer_id`;
  const rows = rowsOf<KnownRow & Record<KeptField, unknown>>(
    await tx.execute(sql`
      select external_id, id, ${employer}${columns} from ${sql.identifier(table)}
       where workspace_id = ${workspaceId}::uuid and external_id = any(${sql.param(partial.map((r) => r.externalId))}::text[])
         for update`),
  );
  const stored = new Map(rows.map((row) => [row.external_id, row]));
  for (const record of partial) {
    const row = stored.get(record.externalId);
    if (!row) continue;
    for (const field of record.leftOut! as KeptField[]) {
      const value = row[field];
      (record as unknown as Record<string, unknown>)[field] =
        field === 'minScore' ? Number(value) : (value ?? undefined);
    }
  }
  return rows;
}

/** The ids of `rows` (those `keep` takes), by externalId. */
export function idsOf(rows: KnownRow[], keep: (row: KnownRow) => boolean = () => true): Map<string, string> {
  return new Map(rows.filter(keep).map((row) => [row.external_id, row.id]));
}
