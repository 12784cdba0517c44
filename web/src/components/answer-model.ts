import type { Schemas } from '../api/client.ts';
import type { MessageKey } from '../i18n/index.ts';

export type Criterion = Schemas['Criterion'];
export const importances = ['irrelevant', 'little', 'somewhat', 'very', 'dealbreaker'] as const;
export type Importance = (typeof importances)[number];

/** One criterion's answer as the form holds it; the API shape once complete (docs/matching.md). */
export interface Draft {
  value?: unknown;
  accept?: unknown;
  importance?: Importance;
}
export type Drafts = Record<string, Draft>;

function hasAccept(criterion: Criterion, accept: unknown): boolean {
  if (accept === undefined || accept === null) return false;
  switch (criterion.kind) {
    case 'single':
      return Array.isArray(accept) && accept.length > 0;
    case 'multi':
      return (
        Array.isArray((accept as { options?: unknown[] }).options) &&
        (accept as { options: unknown[] }).options.length > 0
      );
    case 'scale':
      return true;
    case 'number':
    case 'date': {
      const bounds = accept as Record<string, unknown>;
      return Object.values(bounds).some((bound) => bound !== undefined && bound !== '' && bound !== null);
    }
    case 'profile':
      return false;
  }
}

function hasValue(criterion: Criterion, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (criterion.kind === 'profile')
    return (
      Array.isArray(value) &&
      value.length === criterion.dimensions?.length &&
      value.every((r) => typeof r === 'number')
    );
  if (criterion.kind === 'multi') return Array.isArray(value) && value.length > 0;
  return true;
}

/** Whether a step may be left: `empty` (skipped, left unanswered), `ok`, or the message to show. */
export function checkDraft(criterion: Criterion, draft: Draft | undefined): 'ok' | 'empty' | MessageKey {
  if (
    !draft ||
    (draft.importance === undefined &&
      !hasValue(criterion, draft.value) &&
      !hasAccept(criterion, draft.accept))
  )
    return 'empty';
  const importance = draft.importance;
  if (criterion.kind === 'profile') {
    if (importance !== 'irrelevant' && !hasValue(criterion, draft.value)) return 'q.needValue';
    return importance === undefined ? 'q.needAccept' : 'ok';
  }
  if (importance === undefined) return 'q.needAccept';
  if (importance !== 'irrelevant' && !hasAccept(criterion, draft.accept)) return 'q.needAccept';
  return 'ok';
}

/** The answer the API takes for a draft that checks `ok`. */
export function toAnswer(criterion: Criterion, draft: Draft): Record<string, unknown> {
  const answer: Record<string, unknown> = { importance: draft.importance };
  if (hasValue(criterion, draft.value)) answer.value = draft.value;
  if (criterion.kind !== 'profile' && hasAccept(criterion, draft.accept))
    answer.accept = cleanAccept(draft.accept);
  return answer;
}

function cleanAccept(accept: unknown): unknown {
  if (typeof accept !== 'object' || accept === null || Array.isArray(accept)) return accept;
  return Object.fromEntries(
    Object.entries(accept).filter(([, bound]) => bound !== undefined && bound !== '' && bound !== null),
  );
}

/** Every draft that checks `ok`, as the `answers` object of `PUT /v1/candidates/{id}/answers`. */
export function toAnswers(criteria: Criterion[], drafts: Drafts): Record<string, Record<string, unknown>> {
  const answers: Record<string, Record<string, unknown>> = {};
  for (const criterion of criteria) {
    const draft = drafts[criterion.id];
    if (draft && checkDraft(criterion, draft) === 'ok') answers[criterion.id] = toAnswer(criterion, draft);
  }
  return answers;
}

/** Where to resume: the first criterion with no answer (0 when all are answered). */
export function resumeAt(criteria: Criterion[], drafts: Drafts): number {
  const next = criteria.findIndex((criterion) => checkDraft(criterion, drafts[criterion.id]) !== 'ok');
  return next === -1 ? 0 : next;
}
