/**
 * Turns a persona into a work-fit answer set. `value` is what a side is or offers, `accept` which
 * of the other side's values it takes (docs/matching.md#answers), so expectations are intervals and sets drawn
 * around the side's own situation, and importances mostly little/somewhat/very.
 */
import type { AnswerSet, CriterionAnswer, Importance } from '../src/answers/types.ts';
import type { Sector, Weights } from './personas.ts';
import {
  coreCriteria,
  dealbreakerCount,
  dealbreakerPool,
  importanceBySalience,
  levelSalary,
  migrantLanguages,
  type Region,
  regions,
  salience,
} from './population.ts';
import type { Rng } from './random.ts';

export interface CandidatePersona {
  sector: Sector;
  level: number;
  /** 0..1: how much room around work this person needs. */
  flex: number;
  /** 0..1: appetite for learning, shaping the role, a say. */
  growth: number;
  home: Region;
  regions: string[];
  languages: string[];
  permit: 'free-access' | 'permit-transfer' | 'new-permit';
}

export interface EmployerPersona {
  sector: Sector;
  region: Region;
  flexOffered: number;
  generosity: number;
  leadership: string;
  feedback: number;
  say: number;
  autonomy: number;
  crafting: number;
  learning: number;
  mistakes: number;
  pace: number;
  values: number[];
  permitLevel: 'free-access' | 'permit-transfer' | 'new-permit';
  english: boolean;
}

export interface JobPersona {
  employer: EmployerPersona;
  region: Region;
  level: number;
  contract: string;
  hours: number;
  skills: string[];
  team: string;
}

type Side = 'candidate' | 'employer';
type Dir = 'up' | 'down' | 'around';

const permits = ['free-access', 'permit-transfer', 'new-permit'] as const;
const slackWeights: Weights = { 0: 0.3, 1: 0.55, 2: 0.15 };
const SKIP_SOFT = 0.06;
const OMIT_VALUE = 0.02;
const STEPS: Readonly<Record<string, number>> = {
  'schedule-flexibility': 5,
  'shift-work': 5,
  'remote-work': 5,
  travel: 5,
  'start-date': 7,
  'personal-circumstances': 4,
  'experience-level': 6,
  learning: 5,
  'job-crafting': 4,
  autonomy: 4,
  'say-in-decisions': 5,
  'feedback-rhythm': 5,
  'room-for-mistakes': 4,
  'work-pace': 4,
};

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const step = (id: string, x: number) => clamp(Math.round(x), 0, STEPS[id]! - 1);
const round50 = (x: number) => Math.round(x / 50) * 50;
const unique = (items: string[]) => [...new Set(items)];

/** Collects one side's answers: importances (with 0–2 dealbreakers), skips, expectations. */
function answerSheet(r: Rng, side: Side) {
  const dealbreakers = new Set(r.sample(dealbreakerPool[side], Number(r.weighted(dealbreakerCount))));
  const answers: Record<string, CriterionAnswer> = {};
  const importanceOf = (id: string): Importance =>
    dealbreakers.has(id)
      ? 'dealbreaker'
      : (r.weighted(importanceBySalience[salience[side][id] ?? 1]!) as Importance);

  /** `accept` gets whether the criterion is a dealbreaker (people then state a wider band). */
  function put(id: string, value: unknown, accept: (dealbreaker: boolean) => unknown): void {
    const core = coreCriteria.has(id);
    if (!core && r.chance(SKIP_SOFT)) return;
    const importance = importanceOf(id);
    const keepAccept = importance !== 'irrelevant' || r.chance(0.5);
    const keepValue = core || !keepAccept || !r.chance(OMIT_VALUE);
    answers[id] = {
      importance,
      ...(keepValue && { value }),
      ...(keepAccept && { accept: accept(importance === 'dealbreaker') }),
    } as CriterionAnswer;
  }

  function scale(id: string, mean: number, dir: Dir): void {
    const value = step(id, mean);
    const last = STEPS[id]! - 1;
    put(id, value, (dealbreaker) => {
      const widen = dealbreaker ? 1 : 0;
      const slack = Number(r.weighted(slackWeights)) + widen;
      if (dir === 'up') return { min: clamp(value - slack, 0, last), max: last };
      if (dir === 'down') return { min: 0, max: clamp(value + slack, 0, last) };
      const below = Number(r.weighted(slackWeights)) + widen;
      return { min: clamp(value - below, 0, last), max: clamp(value + slack, 0, last) };
    });
  }

  function profile(id: string, ratings: number[]): void {
    if (r.chance(SKIP_SOFT)) return;
    answers[id] = { value: ratings, importance: r.weighted(importanceBySalience[0]!) as Importance };
  }

  return { put, scale, profile, answers: answers as AnswerSet };
}

const anyOf = (options: string[]) => ({ mode: 'any' as const, options: unique(options) });

function withExtra(r: Rng, base: string[], pool: Weights, p: number): string[] {
  const extra = r.chance(p) ? r.sample(pool, 1) : [];
  return unique([...base, ...extra]);
}

function ratings(r: Rng, means: readonly number[], adjust: readonly number[], noise: number): number[] {
  return means.map((mean, d) => clamp(Math.round(mean + (adjust[d] ?? 0) + r.normal() * noise), 1, 5));
}

const candidateContractAccept: Readonly<Record<string, Weights>> = {
  permanent: { 'fixed-term': 0.4, 'temp-agency': 0.1 },
  'fixed-term': { permanent: 0.9, 'temp-agency': 0.3 },
  'temp-agency': { permanent: 0.9, 'fixed-term': 0.8 },
  freelance: { 'fixed-term': 0.3, permanent: 0.2 },
  'student-job': { 'temp-agency': 0.3 },
  traineeship: { 'fixed-term': 0.5, permanent: 0.5 },
};

function contractAccept(r: Rng, own: string, dealbreaker: boolean): string[] {
  const others = candidateContractAccept[own] ?? {};
  const extra = Object.keys(others).filter((c) =>
    r.chance(Math.min(1, others[c]! + (dealbreaker ? 0.2 : 0))),
  );
  return unique([own, ...extra]);
}

export function candidateAnswers(r: Rng, p: CandidatePersona): AnswerSet {
  const s = p.sector;
  const sheet = answerSheet(r, 'candidate');
  const { put, scale } = sheet;

  const contract =
    p.level === 0 && r.chance(0.4) ? r.pick(['student-job', 'traineeship']) : r.weighted(s.contracts);
  put('contract', contract, (db) => contractAccept(r, contract, db));

  const hours =
    contract === 'student-job'
      ? r.int(8, 16)
      : Number(r.weighted({ 38: 0.6, 40: 0.05, 32: 0.06, 30: 0.12, 24: 0.08, 19: 0.07, 16: 0.02 }));
  put('weekly-hours', hours, () =>
    r.chance(0.3)
      ? { min: clamp(hours - r.int(2, 8), 4, 60) }
      : { min: clamp(hours - r.int(2, 8), 4, 60), max: clamp(hours + r.int(0, 4), 4, 60) },
  );

  scale('schedule-flexibility', s.office * 2 + p.flex * 1.4 + r.normal() * 0.6, 'up');
  scale('shift-work', s.shift + (0.5 - p.flex) + r.normal() * 0.9, 'down');
  scale('remote-work', s.remote + (p.flex - 0.5) * 1.5 + r.normal() * 0.7, 'around');
  put('region', p.regions, () => anyOf(p.regions));
  scale('travel', s.travel + r.normal() * 0.9, 'down');
  scale(
    'start-date',
    Number(r.weighted({ 0: 0.15, 1: 0.2, 2: 0.3, 3: 0.2, 4: 0.08, 5: 0.05, 6: 0.02 })),
    'up',
  );

  const wish = clamp(round50(s.salary * levelSalary[p.level]! * Math.exp(r.normal() * 0.12)), 0, 20_000);
  put('salary', wish, (db) => ({ min: round50(wish * r.uniform(db ? 0.8 : 0.85, 0.97)) }));
  const leave = 20 + Number(r.weighted({ 0: 0.35, 2: 0.15, 4: 0.15, 6: 0.15, 8: 0.1, 12: 0.1 }));
  put('leave-days', leave, () => ({ min: Math.max(20, leave - r.int(0, 4)) }));
  scale('personal-circumstances', p.flex * 3.2 + r.normal() * 0.5, 'up');

  put('languages', p.languages, () => anyOf(p.languages));
  const skills = unique([
    r.pick(s.skills),
    ...(s.skills.length > 1 && r.chance(0.4) ? s.skills : []),
    ...(r.chance(0.35) ? [r.pick(s.adjacent)] : []),
  ]);
  put('skill-areas', skills, (db) => anyOf(db ? [...skills, r.pick(s.adjacent)] : skills));
  put('experience-level', p.level, (db) => ({
    min: clamp(p.level - 2 - (db ? 1 : 0), 0, 5),
    max: clamp(p.level + 1, 0, 5),
  }));
  const need = permits.indexOf(p.permit);
  put('work-permit', p.permit, () => permits.slice(need));

  scale('learning', p.growth * 4 + r.normal() * 0.6, 'up');
  const career = r.sample(
    {
      steady: 2 * (1 - p.growth) + 0.3,
      specialist: 1 + p.growth,
      leadership: p.level >= 3 ? 1.5 * p.growth + 0.5 : 0.2,
      broaden: p.growth + 0.2,
      projects: 0.6,
      'new-ventures': 0.2,
    },
    r.int(1, 2),
  );
  put('career-path', career, () =>
    anyOf(withExtra(r, career, { projects: 1, broaden: 1, specialist: 1 }, 0.4)),
  );
  scale('job-crafting', p.growth * 2.2 + p.level * 0.15 + r.normal() * 0.6, 'around');
  scale('autonomy', p.level * 0.35 + p.growth + r.normal() * 0.6, 'around');
  scale('say-in-decisions', p.growth * 2.5 + r.normal() * 0.7, 'around');
  const style = r.weighted(s.leadership);
  put('leadership-style', style, () => unique([style, ...r.sample(s.leadership, r.int(1, 2))]));
  scale('feedback-rhythm', 3 - p.level * 0.3 + r.normal() * 0.8, 'around');
  scale('room-for-mistakes', s.mistakes + p.growth * 0.6 - 0.3 + r.normal() * 0.6, 'around');
  const recognition = r.sample(
    {
      'personal-thanks': 3,
      pay: 3,
      development: 1 + 2 * p.growth,
      responsibility: 2,
      'public-credit': 1,
      time: 1.5,
    },
    r.int(1, 3),
  );
  put('recognition', recognition, () => anyOf(recognition));
  const team = r.weighted(s.teams);
  put('team-setting', team, () => unique([team, ...r.sample(s.teams, r.int(1, 2))]));
  scale('work-pace', s.pace + r.normal() * 0.9, 'around');
  const purpose = r.sample({ ...s.purpose, colleagues: (s.purpose.colleagues ?? 0) + 1 }, r.int(1, 3));
  put('purpose', purpose, () => anyOf(withExtra(r, purpose, s.purpose, 0.4)));
  const adjust = [0, p.growth - 0.5, p.level * 0.1, 0, 0, p.flex - 0.3, 0, p.growth - 0.5];
  sheet.profile('work-values', ratings(r, s.values, adjust, 0.8));
  return sheet.answers;
}

export function jobAnswers(r: Rng, j: JobPersona): AnswerSet {
  const e = j.employer;
  const s = e.sector;
  const sheet = answerSheet(r, 'employer');
  const { put, scale } = sheet;

  put('contract', j.contract, () =>
    unique([
      j.contract,
      ...(j.contract === 'permanent' ? ['fixed-term', 'temp-agency'] : ['permanent']),
    ]).slice(0, r.int(1, 3)),
  );
  put('weekly-hours', j.hours, () => ({
    min: clamp(Math.round(j.hours * r.uniform(0.75, 0.95)), 4, 60),
    max: clamp(j.hours + r.int(0, 2), 4, 60),
  }));
  scale('schedule-flexibility', s.office * 2 + e.flexOffered * 1.3 + r.normal() * 0.5, 'down');
  scale('shift-work', s.shift + r.normal() * 0.8, 'up');
  scale('remote-work', s.remote + (e.flexOffered - 0.5) + r.normal() * 0.6, 'down');
  const near = r.chance(0.4) ? j.region.neighbours : [];
  put('region', [j.region.id], () => anyOf([j.region.id, ...near]));
  scale('travel', s.travel + r.normal() * 0.7, 'up');
  scale('start-date', Number(r.weighted({ 0: 0.2, 1: 0.15, 2: 0.35, 3: 0.2, 4: 0.1 })), 'down');

  const offer = clamp(
    round50(s.salary * levelSalary[j.level]! * e.generosity * Math.exp(r.normal() * 0.06)),
    0,
    20_000,
  );
  put('salary', offer, () => ({ max: round50(offer * r.uniform(1.03, 1.15)) }));
  const leave = 20 + Number(r.weighted({ 0: 0.3, 2: 0.2, 4: 0.2, 6: 0.15, 8: 0.1, 12: 0.05 }));
  put('leave-days', leave, () => ({ max: Math.min(60, leave + r.int(0, 6)) }));
  scale('personal-circumstances', e.flexOffered * 3 + r.normal() * 0.5, 'down');

  const main = j.region.language;
  const used = unique([
    main,
    ...(e.english || r.chance(0.2) ? ['en'] : []),
    ...(r.chance(0.15) ? ['nl', 'fr'] : []),
  ]);
  put('languages', used, () =>
    e.english && r.chance(0.5)
      ? { mode: 'all' as const, options: [main, 'en'] }
      : anyOf(r.chance(0.2) ? used : [main]),
  );
  const areas = unique([j.skills[0]!, ...(r.chance(0.2) ? [r.pick(s.adjacent)] : [])]);
  put('skill-areas', areas, (db) =>
    anyOf(db ? j.skills : [...j.skills, ...(r.chance(0.3) ? s.adjacent : [])]),
  );
  put('experience-level', j.level, () => ({ min: clamp(j.level - r.int(1, 2), 0, 5), max: 5 }));
  const level = permits.indexOf(e.permitLevel);
  put('work-permit', e.permitLevel, () => permits.slice(0, level + 1));

  scale('learning', e.learning + r.normal() * 0.4, 'down');
  const paths = r.sample(
    {
      steady: 2,
      specialist: 1.5,
      leadership: j.level >= 3 ? 1.2 : 0.4,
      broaden: 1,
      projects: 1,
      'new-ventures': 0.3,
    },
    r.int(1, 3),
  );
  put('career-path', paths, () =>
    anyOf([...paths, ...r.sample({ steady: 1, specialist: 1, projects: 1 }, 2)]),
  );
  scale('job-crafting', e.crafting + r.normal() * 0.4, 'down');
  scale('autonomy', e.autonomy + j.level * 0.2 + r.normal() * 0.4, 'around');
  scale('say-in-decisions', e.say + r.normal() * 0.4, 'down');
  put('leadership-style', e.leadership, () => unique([e.leadership, ...r.sample(s.leadership, r.int(1, 3))]));
  scale('feedback-rhythm', e.feedback + r.normal() * 0.5, 'around');
  scale('room-for-mistakes', e.mistakes + r.normal() * 0.4, 'around');
  const recognitionPool = {
    'personal-thanks': 3,
    pay: 2,
    development: 2,
    responsibility: 2,
    'public-credit': 1,
    time: 1,
    'visible-results': 1.5,
  };
  const recognition = r.sample(recognitionPool, r.int(2, 4));
  put('recognition', recognition, () => anyOf(r.sample(recognitionPool, r.int(4, 6))));
  put('team-setting', j.team, () => unique([j.team, ...r.sample(s.teams, r.int(1, 3))]));
  scale('work-pace', e.pace + r.normal() * 0.4, 'around');
  const purpose = r.sample(s.purpose, r.int(1, 3));
  put('purpose', purpose, () =>
    anyOf([...purpose, ...r.sample({ ...s.purpose, colleagues: 2 }, r.int(2, 3))]),
  );
  sheet.profile('work-values', ratings(r, s.values, e.values, 0.5));
  return sheet.answers;
}

// Persona draws.

const regionWeights: Weights = Object.fromEntries(regions.map((region) => [region.id, region.weight]));
const regionById = new Map(regions.map((region) => [region.id, region]));

export function drawRegion(r: Rng): Region {
  return regionById.get(r.weighted(regionWeights))!;
}

export function candidateLanguages(r: Rng, home: Region, office: number, level: number): string[] {
  const newcomer = r.chance(0.05);
  const main = home.id === 'brussels' ? (r.chance(0.35) ? 'nl' : 'fr') : home.language;
  const spoken = newcomer ? [r.chance(0.5) ? 'en' : r.weighted(migrantLanguages)] : [main];
  if (r.chance(0.35 + 0.3 * office + 0.02 * level)) spoken.push('en');
  if (r.chance(home.id === 'brussels' ? 0.6 : 0.25)) spoken.push(main === 'nl' ? 'fr' : 'nl');
  if (!newcomer && r.chance(0.15)) spoken.push(r.weighted(migrantLanguages));
  if ((home.id === 'liege' || home.id === 'luxembourg') && r.chance(0.15)) spoken.push('de');
  return unique(spoken);
}
