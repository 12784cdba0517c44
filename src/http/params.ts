import { z } from 'zod';

/** The `:id` path parameter of every single-resource route. */
export const idParam = z.object({ id: z.uuid().describe('The resource id') });
