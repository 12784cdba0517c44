import { v7 as uuidv7 } from 'uuid';
import { timestamp, uuid } from './orm.ts';

/** Time-ordered ids (UUIDv7): ordering by id is ordering by creation, which keeps cursors simple. */
export const id = () =>
  uuid('id')
    .primaryKey()
    .$defaultFn(() => uuidv7());

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp('updated_at', { withTimezone: true, mode: 'date' })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
