import { describe, expect, it } from 'vitest';
import {
  type IntroductionAction,
  type IntroductionSide,
  initialStates,
  introductionActions,
  introductionSides,
  type SideState,
  sideStates,
  transition,
} from '../../src/introductions/state.ts';

const other = (side: IntroductionSide): IntroductionSide => (side === 'employer' ? 'candidate' : 'employer');

/** The rules written out independently of the implementation: what each step leads to. */
function expected(own: SideState, theirs: SideState, action: IntroductionAction) {
  switch (action) {
    case 'interested':
      if (theirs === 'declined') return { reason: 'other_declined' } as const;
      if (own === 'interested' || own === 'declined') return { reason: 'invalid' } as const;
      return { own: 'interested', status: theirs === 'interested' ? 'mutual' : 'pending' } as const;
    case 'declined':
      if (own === 'declined') return { reason: 'invalid' } as const;
      return { own: 'declined', status: 'declined' } as const;
    case 'withdrawn':
      if (theirs === 'declined') return { reason: 'other_declined' } as const;
      if (own !== 'interested') return { reason: 'invalid' } as const;
      return { own: 'withdrawn', status: 'withdrawn' } as const;
  }
}

const cases = introductionSides.flatMap((side) =>
  sideStates.flatMap((own) =>
    sideStates.flatMap((theirs) => introductionActions.map((action) => ({ side, own, theirs, action }))),
  ),
);

describe('introduction state machine', () => {
  it('covers every side × own state × other state × action', () => {
    expect(cases).toHaveLength(2 * 4 * 4 * 3);
  });

  it.each(cases)('$side is $own, other side $theirs, action $action', ({ side, own, theirs, action }) => {
    const current = { [side]: own, [other(side)]: theirs } as { employer: SideState; candidate: SideState };
    const result = transition(current, side, action);
    const want = expected(own, theirs, action);
    if ('reason' in want) {
      expect(result).toMatchObject({ ok: false, reason: want.reason });
      if (!result.ok && want.reason === 'invalid') expect(result.detail).toContain(`is ${own}`);
      if (!result.ok && want.reason === 'other_declined')
        expect(result.detail).toMatch(/other side declined/);
      return;
    }
    expect(result).toEqual({
      ok: true,
      status: want.status,
      states: { [side]: want.own, [other(side)]: theirs },
    });
  });

  it('walks interest on both sides to mutual, and back after a withdrawal', () => {
    const first = transition(initialStates, 'employer', 'interested');
    expect(first).toMatchObject({ ok: true, status: 'pending' });
    if (!first.ok) return;
    const mutual = transition(first.states, 'candidate', 'interested');
    expect(mutual).toMatchObject({ ok: true, status: 'mutual' });
    if (!mutual.ok) return;
    const withdrawn = transition(mutual.states, 'candidate', 'withdrawn');
    expect(withdrawn).toMatchObject({ ok: true, status: 'withdrawn' });
    if (!withdrawn.ok) return;
    expect(transition(withdrawn.states, 'candidate', 'interested')).toMatchObject({
      ok: true,
      status: 'mutual',
      states: { employer: 'interested', candidate: 'interested' },
    });
  });

  it('refuses to withdraw before ever being interested', () => {
    expect(transition(initialStates, 'candidate', 'withdrawn')).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
  });

  it('lets a side decline at first sight', () => {
    expect(transition(initialStates, 'candidate', 'declined')).toEqual({
      ok: true,
      status: 'declined',
      states: { employer: 'none', candidate: 'declined' },
    });
  });
});
