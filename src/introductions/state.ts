/** The double opt-in state machine (docs/architecture.md#introductions-audit): pure, so every state × action is unit-tested. */

export const sideStates = ['none', 'interested', 'declined', 'withdrawn'] as const;
export type SideState = (typeof sideStates)[number];

export const introductionActions = ['interested', 'declined', 'withdrawn'] as const;
export type IntroductionAction = (typeof introductionActions)[number];

export const introductionStatuses = ['pending', 'mutual', 'declined', 'withdrawn'] as const;
export type IntroductionStatus = (typeof introductionStatuses)[number];

export const introductionSides = ['employer', 'candidate'] as const;
export type IntroductionSide = (typeof introductionSides)[number];

export interface SideStates {
  employer: SideState;
  candidate: SideState;
}

export type Transition =
  | { ok: true; states: SideStates; status: IntroductionStatus }
  | { ok: false; reason: 'other_declined' | 'invalid'; detail: string };

/** The state of a pair no one has acted on yet. */
export const initialStates: SideStates = { employer: 'none', candidate: 'none' };

const otherSide = (side: IntroductionSide): IntroductionSide =>
  side === 'employer' ? 'candidate' : 'employer';

/**
 * What `action` by `side` does to the pair. `interested` is allowed from none or after the side's
 * own withdrawal, never after the other side declined; `declined` ends the introduction from any
 * state but an earlier decline of the same side; `withdrawn` only by a side that is interested,
 * and not once the other side has declined (the introduction stays declined).
 * Whether the pair is acceptable now is the caller's check: this only knows the states.
 */
export function transition(
  current: SideStates,
  side: IntroductionSide,
  action: IntroductionAction,
): Transition {
  const own = current[side];
  const other = current[otherSide(side)];
  const invalid = (why: string): Transition => ({
    ok: false,
    reason: 'invalid',
    detail: `The ${side} side is ${own}; ${why}.`,
  });
  const otherDeclined = (what: string): Transition => ({
    ok: false,
    reason: 'other_declined',
    detail: `The other side declined; the ${side} side can no longer ${what}.`,
  });
  switch (action) {
    case 'interested': {
      if (other === 'declined') return otherDeclined('express interest');
      if (own !== 'none' && own !== 'withdrawn') {
        return invalid('interest can only be expressed at first or again after withdrawing');
      }
      const states = { ...current, [side]: 'interested' } as SideStates;
      return { ok: true, states, status: other === 'interested' ? 'mutual' : 'pending' };
    }
    case 'declined': {
      if (own === 'declined') return invalid('it has already declined');
      return { ok: true, states: { ...current, [side]: 'declined' } as SideStates, status: 'declined' };
    }
    case 'withdrawn': {
      if (other === 'declined') return otherDeclined('withdraw');
      if (own !== 'interested') return invalid('only a side that is interested can withdraw');
      return { ok: true, states: { ...current, [side]: 'withdrawn' } as SideStates, status: 'withdrawn' };
    }
  }
}
