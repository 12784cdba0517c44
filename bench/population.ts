/**
 * Who is in the market besides their sector: regions (reach, languages), experience levels, and
 * how much each side cares about each criterion (importances, dealbreakers, what is skipped).
 */

import type { Weights } from './personas.ts';

export interface Region {
  id: string;
  weight: number;
  neighbours: readonly string[];
  /** The language work mostly happens in there. */
  language: 'nl' | 'fr';
}

export const regions: readonly Region[] = [
  { id: 'brussels', weight: 12, neighbours: ['flemish-brabant', 'walloon-brabant'], language: 'fr' },
  { id: 'antwerp', weight: 16, neighbours: ['east-flanders', 'limburg', 'flemish-brabant'], language: 'nl' },
  { id: 'limburg', weight: 8, neighbours: ['antwerp', 'flemish-brabant', 'liege'], language: 'nl' },
  {
    id: 'east-flanders',
    weight: 14,
    neighbours: ['west-flanders', 'antwerp', 'flemish-brabant'],
    language: 'nl',
  },
  { id: 'west-flanders', weight: 11, neighbours: ['east-flanders', 'hainaut'], language: 'nl' },
  {
    id: 'flemish-brabant',
    weight: 10,
    neighbours: ['brussels', 'antwerp', 'limburg', 'east-flanders', 'walloon-brabant'],
    language: 'nl',
  },
  {
    id: 'walloon-brabant',
    weight: 4,
    neighbours: ['brussels', 'flemish-brabant', 'hainaut', 'namur'],
    language: 'fr',
  },
  { id: 'hainaut', weight: 10, neighbours: ['walloon-brabant', 'namur', 'west-flanders'], language: 'fr' },
  { id: 'liege', weight: 9, neighbours: ['namur', 'limburg', 'luxembourg'], language: 'fr' },
  { id: 'luxembourg', weight: 2, neighbours: ['liege', 'namur'], language: 'fr' },
  {
    id: 'namur',
    weight: 4,
    neighbours: ['walloon-brabant', 'hainaut', 'liege', 'luxembourg'],
    language: 'fr',
  },
];

export const migrantLanguages: Weights = { ar: 3, tr: 2, pl: 2, ro: 2, es: 1.5, it: 1.5, pt: 1, de: 1 };

/** Monthly salary relative to the 3-to-5-years level, per experience-level step 0..5. */
export const levelSalary: readonly number[] = [0.72, 0.78, 0.88, 1, 1.15, 1.32];
export const levelShare: Weights = { 0: 0.08, 1: 0.12, 2: 0.25, 3: 0.2, 4: 0.2, 5: 0.15 };
export const levelWords: readonly string[] = ['Starting', 'Junior', 'Junior', 'Medior', 'Senior', 'Lead'];

/**
 * How much each side tends to care about a criterion: 0 low, 1 middling, 2 high. Criteria not
 * listed are middling. Importances are drawn around this, so most land on little/somewhat/very.
 */
export const salience: Readonly<Record<'candidate' | 'employer', Readonly<Record<string, number>>>> = {
  candidate: {
    contract: 2,
    'weekly-hours': 2,
    salary: 2,
    region: 2,
    'skill-areas': 2,
    'shift-work': 2,
    'leave-days': 0,
    'start-date': 0,
    travel: 0,
    'feedback-rhythm': 0,
    recognition: 0,
    'say-in-decisions': 0,
    'job-crafting': 0,
    'work-permit': 0,
  },
  employer: {
    'skill-areas': 2,
    'experience-level': 2,
    languages: 2,
    'work-permit': 2,
    'weekly-hours': 2,
    salary: 2,
    recognition: 0,
    purpose: 0,
    'career-path': 0,
    learning: 0,
    'feedback-rhythm': 0,
    'leave-days': 0,
    'personal-circumstances': 0,
  },
};

/** Importance weights for low / middling / high salience: mostly little, somewhat, very. */
export const importanceBySalience: readonly Weights[] = [
  { irrelevant: 0.12, little: 0.45, somewhat: 0.33, very: 0.1 },
  { irrelevant: 0.05, little: 0.25, somewhat: 0.45, very: 0.25 },
  { irrelevant: 0.02, little: 0.1, somewhat: 0.4, very: 0.48 },
];

/** Where each side puts its dealbreakers (0 to 2 per profile). */
export const dealbreakerPool: Readonly<Record<'candidate' | 'employer', Weights>> = {
  candidate: {
    salary: 3,
    region: 8,
    contract: 2,
    'shift-work': 2,
    'remote-work': 1.5,
    'weekly-hours': 1.5,
    'skill-areas': 1.5,
    languages: 1,
    'personal-circumstances': 0.5,
  },
  employer: {
    'work-permit': 3,
    languages: 3,
    'skill-areas': 10,
    'experience-level': 2,
    'shift-work': 1.5,
    region: 1,
    'weekly-hours': 1,
    'start-date': 0.5,
  },
};
export const dealbreakerCount: Weights = { 0: 0.3, 1: 0.45, 2: 0.25 };

/** Criteria every profile answers (dealbreakers land here); the others are skipped now and then. */
export const coreCriteria: ReadonlySet<string> = new Set([
  'contract',
  'weekly-hours',
  'region',
  'salary',
  'languages',
  'skill-areas',
  'experience-level',
  'work-permit',
  'shift-work',
  'remote-work',
  'start-date',
  'personal-circumstances',
]);

export const firstNames: readonly string[] =
  'Emma,Noah,Louise,Adam,Olivia,Liam,Mila,Arthur,Lina,Mohamed,Sara,Lucas,Yasmina,Jules,Fatima,Victor,Anna,Elias,Nora,Mehmet,Zofia,Andrei,Lucía,Matteo,Inês,Finn,Amira,Louis,Julie,Kobe'.split(
    ',',
  );
export const lastNames: readonly string[] =
  'Peeters,Janssens,Maes,Jacobs,Mertens,Willems,Claes,Goossens,Wouters,De Smet,Dubois,Lambert,Dupont,Martin,Leclercq,El Amrani,Yilmaz,Kowalski,Popescu,García,Rossi,Silva,Vermeulen,Hermans,Desmet,Lejeune,Renard,Benali,Aydin,Nowak'.split(
    ',',
  );
