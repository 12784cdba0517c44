import { AppError } from '../http/errors.ts';

const UNIQUE_VIOLATION = '23505';

function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: unknown; cause?: { code?: unknown } };
  return candidate?.code === UNIQUE_VIOLATION || candidate?.cause?.code === UNIQUE_VIOLATION;
}

/** Runs a write and turns a clash on (workspace, externalId) into a 409 that says so. */
export async function uniqueExternalId<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', 'Another record in this workspace already has this externalId.', {
        errors: [{ path: 'body.externalId', message: 'already in use' }],
      });
    }
    throw error;
  }
}
