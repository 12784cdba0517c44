/**
 * A seeded generator of realistic work-fit markets (bench only). Every profile is drawn from its
 * own PRNG seeded by (market seed, kind, index), so any line can be made on demand and 1M
 * candidates are streamed as NDJSON without ever sitting in memory together.
 *
 * Latent personas drive the answers: a sector (pay, shifts, remote work, skills, purpose, values),
 * an experience level, a need for flexibility, an appetite for growth, a home region (and so the
 * languages spoken). Employers carry a culture their jobs share.
 */
import type { AnswerSet } from '../src/answers/types.ts';
import {
  type CandidatePersona,
  candidateAnswers,
  candidateLanguages,
  drawRegion,
  type EmployerPersona,
  type JobPersona,
  jobAnswers,
} from './answers.ts';
import { type Sector, sectors } from './personas.ts';
import { firstNames, lastNames, levelShare, levelWords } from './population.ts';
import { createRng, mixSeed, type Rng } from './random.ts';

export { createRng, mixSeed, mulberry32 } from './random.ts';

export const QUESTIONNAIRE_ID = 'work-fit';

export interface EmployerLine {
  externalId: string;
  name: string;
}

export interface CandidateLine {
  externalId: string;
  contact: { name: string; email: string };
  headline: string;
  minScore: number;
  questionnaireId: string;
  answers: AnswerSet;
}

export interface JobLine {
  externalId: string;
  employerExternalId: string;
  title: string;
  capacity: number;
  minScore: number;
  questionnaireId: string;
  answers: AnswerSet;
}

export interface MarketOptions {
  seed: number;
  candidates: number;
  jobs: number;
  /** Default: one employer per 5 jobs. */
  employers?: number;
}

export interface Market {
  readonly seed: number;
  readonly candidates: number;
  readonly jobs: number;
  readonly employers: number;
  employer(index: number): EmployerLine;
  job(index: number): JobLine;
  candidate(index: number): CandidateLine;
}

const KIND = { employer: 1, job: 2, candidate: 3 } as const;
const sectorWeights = Object.fromEntries(sectors.map((s) => [s.id, s.weight]));
const sectorById = new Map(sectors.map((s) => [s.id, s]));

export function createMarket(options: MarketOptions): Market {
  const { seed, candidates, jobs } = options;
  const employers = options.employers ?? Math.max(1, Math.ceil(jobs / 5));
  const rngFor = (kind: number, index: number) => createRng(mixSeed(seed, kind, index));
  const employerPersonas = new Map<number, EmployerPersona>();
  const employerPersona = (index: number) => {
    let persona = employerPersonas.get(index);
    if (!persona) {
      persona = drawEmployer(rngFor(KIND.employer, index));
      employerPersonas.set(index, persona);
    }
    return persona;
  };

  return {
    seed,
    candidates,
    jobs,
    employers,
    employer(index) {
      const persona = employerPersona(index);
      const r = rngFor(KIND.employer, -1 - index);
      const adjective = r.pick([
        'Noord',
        'Zuid',
        'Atelier',
        'Groupe',
        'Studio',
        'Hoeve',
        'Maison',
        'Van Dijck',
      ]);
      return { externalId: employerExternalId(index), name: `${adjective} ${persona.sector.title} ${index}` };
    },
    job(index) {
      const employerIndex = index % employers;
      const r = rngFor(KIND.job, index);
      const persona = drawJob(r, employerPersona(employerIndex));
      return {
        externalId: jobExternalId(index),
        employerExternalId: employerExternalId(employerIndex),
        title: `${levelWords[persona.level]} ${r.pick(persona.employer.sector.roles).toLowerCase()}`,
        capacity: r.chance(0.7) ? 1 : r.chance(0.67) ? r.int(2, 3) : r.int(4, 10),
        minScore: drawMinScore(r),
        questionnaireId: QUESTIONNAIRE_ID,
        answers: jobAnswers(r, persona),
      };
    },
    candidate(index) {
      const r = rngFor(KIND.candidate, index);
      const persona = drawCandidate(r);
      const first = r.pick(firstNames);
      const last = r.pick(lastNames);
      return {
        externalId: candidateExternalId(index),
        contact: {
          name: `${first} ${last}`,
          email: `${first}.${last}.${index}@example.org`.toLowerCase().replace(/[^a-z0-9.@]/g, ''),
        },
        headline: `${levelWords[persona.level]} ${persona.sector.title}`,
        minScore: drawMinScore(r),
        questionnaireId: QUESTIONNAIRE_ID,
        answers: candidateAnswers(r, persona),
      };
    },
  };
}

/** A deterministic UUID-shaped id per (seed, kind, index), so id ties order the same on every run. */
export function seededId(seed: number, kind: number, index: number): string {
  const hex = [1, 2, 3, 4]
    .map((part) => mixSeed(seed, kind, index, part).toString(16).padStart(8, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export const employerExternalId = (index: number) => `emp-${index}`;
export const jobExternalId = (index: number) => `job-${index}`;
export const candidateExternalId = (index: number) => `cand-${index}`;

/** NDJSON request bodies of at most `size` lines each, made only when asked for. */
export function* ndjsonBatches<T>(
  count: number,
  size: number,
  make: (index: number) => T,
): Generator<{ from: number; to: number; body: string }> {
  for (let from = 0; from < count; from += size) {
    const to = Math.min(count, from + size);
    const lines: string[] = [];
    for (let i = from; i < to; i++) lines.push(JSON.stringify(make(i)));
    yield { from, to, body: `${lines.join('\n')}\n` };
  }
}

/** θ: mostly the default 0.5, some pickier or more open. */
function drawMinScore(r: Rng): number {
  if (r.chance(0.7)) return 0.5;
  return Math.round(Math.min(0.8, Math.max(0.2, 0.5 + r.normal() * 0.12)) * 20) / 20;
}

function drawSector(r: Rng): Sector {
  return sectorById.get(r.weighted(sectorWeights))!;
}

function drawCandidate(r: Rng): CandidatePersona {
  const sector = drawSector(r);
  const level = Number(r.weighted(levelShare));
  const home = drawRegion(r);
  const reach = [home.id, ...home.neighbours.filter(() => r.chance(0.35))].slice(0, 3);
  if (r.chance(0.02)) reach.push('abroad');
  const languages = candidateLanguages(r, home, sector.office, level);
  const newcomer = !languages.includes('nl') && !languages.includes('fr');
  const permit = newcomer
    ? (r.weighted({
        'free-access': 0.4,
        'permit-transfer': 0.3,
        'new-permit': 0.3,
      }) as CandidatePersona['permit'])
    : (r.weighted({
        'free-access': 0.9,
        'permit-transfer': 0.06,
        'new-permit': 0.04,
      }) as CandidatePersona['permit']);
  return {
    sector,
    level,
    flex: r.next() ** 1.3,
    growth: Math.min(1, Math.max(0, 0.5 + r.normal() * 0.22 + (level <= 2 ? 0.08 : 0))),
    home,
    regions: reach,
    languages,
    permit,
  };
}

function drawEmployer(r: Rng): EmployerPersona {
  const sector = drawSector(r);
  const modern = r.next();
  return {
    sector,
    region: drawRegion(r),
    flexOffered: r.next(),
    generosity: Math.exp(r.normal() * 0.08),
    leadership: r.weighted(sector.leadership),
    feedback: 1.2 + modern * 2 + r.normal() * 0.4,
    say: 0.8 + modern * 2.4,
    autonomy: sector.office * 1.2 + modern * 1.2,
    crafting: modern * 2.4,
    learning: 0.8 + modern * 2.6,
    mistakes: sector.mistakes + (modern - 0.5) * 0.8,
    pace: sector.pace + r.normal() * 0.4,
    values: Array.from({ length: 8 }, () => r.normal() * 0.4),
    permitLevel: r.weighted({
      'free-access': 0.7,
      'permit-transfer': 0.2,
      'new-permit': 0.1,
    }) as EmployerPersona['permitLevel'],
    english: r.chance(0.15 + sector.office * 0.3),
  };
}

function drawJob(r: Rng, employer: EmployerPersona): JobPersona {
  const s = employer.sector;
  const level = Number(r.weighted(levelShare));
  const contract =
    level === 0 && r.chance(0.3) ? r.pick(['student-job', 'traineeship']) : r.weighted(s.contracts);
  const hours =
    contract === 'student-job'
      ? r.int(8, 16)
      : Number(r.weighted({ 38: 0.72, 40: 0.06, 30: 0.08, 24: 0.07, 19: 0.07 }));
  const region = r.chance(0.1)
    ? (regionNear(r, employer.region.neighbours) ?? employer.region)
    : employer.region;
  return {
    employer,
    region,
    level,
    contract,
    hours,
    skills: s.skills.length > 1 && r.chance(0.3) ? [...s.skills] : [r.pick(s.skills)],
    team: r.weighted(s.teams),
  };
}

function regionNear(r: Rng, neighbours: readonly string[]) {
  for (let tries = 0; tries < 20; tries++) {
    const region = drawRegion(r);
    if (neighbours.includes(region.id)) return region;
  }
  return undefined;
}
