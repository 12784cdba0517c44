import type { CriterionDefinition, QuestionnaireDefinition } from '../../questionnaires/definition.ts';
import { type KindName, kindOf } from './kinds/index.ts';
import type { ValueCells } from './kinds/kind.ts';
import { rangeEdges } from './kinds/range-codes.ts';
import { MISSING_CODE } from './levels.ts';

/**
 * Where each criterion's data sits in a profile's typed-array rows. Built once per questionnaire
 * version; every profile of that version shares it. Plain data (no functions): it is sent to the
 * slice worker threads.
 */
export interface Layout {
  questionnaireId: string;
  version: number;
  criteria: readonly CriterionDefinition[];
  count: number;
  /** per criterion: its kind (see kinds/index.ts) */
  kinds: readonly KindName[];
  /** per criterion: the value column it keeps a row's own value in */
  valueCells: readonly ValueCells[];
  /** per criterion: its column in that array (profile: the first of its dimensions' columns) */
  valueSlot: Int32Array;
  /**
   * per criterion: where its expectation sits in a row's record, in units of the array it is in:
   * acceptMasks (a word), acceptSteps (a pair of bytes) or acceptNums (a pair of doubles)
   */
  acceptAt: Int32Array;
  /** per criterion: profile dimensions (0 for the other kinds) */
  dims: Int32Array;
  /** per criterion: how many codes a value can take (single: options, scale: steps) */
  valueCount: Int32Array;
  /** criterion c's sat parameters (its kind's `cells().satParams`) at 2c and 2c + 1 */
  satParams: Float64Array;
  /**
   * per criterion: the column in `codes` of its values' range codes (kinds/range-codes.ts; number),
   * after the values' own code columns, or −1
   */
  rangeCodeSlot: Int32Array;
  /** the criteria with range codes */
  rangeCoded: Int32Array;
  /** per criterion with range codes: the codes' edges (rangeEdges of its range) */
  rangeEdges: readonly (Float64Array | undefined)[];
  /** per criterion with options (single, multi): option id → bit */
  optionIndex: readonly (ReadonlyMap<string, number> | undefined)[];
  /**
   * a row's noted dealbreaker (reverse-dealbreakers.ts `noteDealbreaker`): its criterion in column
   * `criterionSlot` of `codes`, after the range codes; the values that meet it in column `maskSlot`
   * of `masks`, after the values' masks
   */
  notedDealbreaker: { criterionSlot: number; maskSlot: number };
  /**
   * Columns per array. `codes` counts the values' own codes, `masks` the values' masks; `rangeCodes`
   * follow the codes in the same array, and `noted` columns (the noted dealbreaker) close both.
   */
  strides: {
    codes: number;
    rangeCodes: number;
    noted: number;
    masks: number;
    nums: number;
    ratings: number;
    acceptMasks: number;
    acceptSteps: number;
    acceptNums: number;
  };
  /**
   * A row's expectations (importance levels and what it accepts) are one record of `bytes` bytes,
   * row-major: scoring a row against the subject (S(row→subject)) reads one or two cache lines,
   * not a line per criterion. Levels at byte 0 (one per criterion), then the step bounds, the
   * option masks (4-byte aligned) and the number bounds (8-byte aligned); `bytes` is a multiple of 8.
   * `steps`, `masks`, `nums`: where those regions start, in bytes, words and doubles. The row's
   * minScore and its expectations' total weight close the record (doubles `minScore`, `weight`):
   * scoring a row the other way needs them too.
   */
  record: {
    bytes: number;
    words: number;
    doubles: number;
    steps: number;
    masks: number;
    nums: number;
    minScore: number;
    weight: number;
  };
}

/** The typed arrays a layout's rows live in (see columnar-store.ts): what encoding and scoring read. */
export interface RowArrays {
  readonly layout: Layout;
  readonly capacity: number;
  codes: Uint8Array;
  masks: Uint32Array;
  nums: Float64Array;
  ratings: Uint8Array;
  levels: Uint8Array;
  acceptSteps: Uint8Array;
  acceptMasks: Uint32Array;
  acceptNums: Float64Array;
}

/** Each kind's accept cells: the record region they go in, and how many units of it they take. */
const ACCEPT_REGION = {
  masks: ['acceptMasks', 1],
  steps: ['acceptSteps', 2],
  nums: ['acceptNums', 2],
} as const;

export function compileLayout(questionnaire: QuestionnaireDefinition): Layout {
  const count = questionnaire.criteria.length;
  const kinds: KindName[] = [];
  const valueCells: ValueCells[] = [];
  const valueSlot = new Int32Array(count);
  const acceptSlot = new Int32Array(count);
  const acceptAt = new Int32Array(count);
  const dims = new Int32Array(count);
  const valueCount = new Int32Array(count);
  const satParams = new Float64Array(2 * count);
  const optionIndex: (Map<string, number> | undefined)[] = [];
  const rangeCodeSlot = new Int32Array(count).fill(-1);
  const rangeEdgesOf: (Float64Array | undefined)[] = [];
  const strides = {
    codes: 0,
    rangeCodes: 0,
    noted: 1,
    masks: 0,
    nums: 0,
    ratings: 0,
    acceptMasks: 0,
    acceptSteps: 0,
    acceptNums: 0,
  };

  questionnaire.criteria.forEach((criterion, c) => {
    const cells = kindOf(criterion.kind).cells(criterion);
    kinds.push(criterion.kind);
    valueCells.push(cells.value);
    valueSlot[c] = strides[cells.value];
    strides[cells.value] += cells.columns;
    if (cells.value === 'ratings') dims[c] = cells.columns;
    valueCount[c] = cells.valueCount;
    satParams.set(cells.satParams ?? [0, 0], 2 * c);
    if (cells.accept !== 'none') {
      const [region, units] = ACCEPT_REGION[cells.accept];
      acceptSlot[c] = strides[region];
      strides[region] += units;
    }
    if (cells.rangeCodes) rangeCodeSlot[c] = strides.rangeCodes++;
    rangeEdgesOf.push(cells.rangeCodes && rangeEdges(cells.rangeCodes.min, cells.rangeCodes.max));
    optionIndex.push(
      'options' in criterion ? new Map(criterion.options.map((o, i) => [o.id, i])) : undefined,
    );
  });

  for (let c = 0; c < count; c++)
    if (rangeCodeSlot[c]! >= 0) rangeCodeSlot[c] = rangeCodeSlot[c]! + strides.codes;

  // The record: levels, step bounds, masks, number bounds, each aligned to its element size.
  const stepsAt = count;
  const masksAt = Math.ceil((stepsAt + strides.acceptSteps) / 4);
  const numsAt = Math.ceil((4 * (masksAt + strides.acceptMasks)) / 8);
  const minScore = numsAt + strides.acceptNums;
  const bytes = 8 * (minScore + 2);
  const regionStart = { masks: masksAt, steps: stepsAt, nums: numsAt, none: 0 };
  questionnaire.criteria.forEach((criterion, c) => {
    const { accept } = kindOf(criterion.kind).cells(criterion);
    acceptAt[c] = accept === 'none' ? 0 : regionStart[accept] + acceptSlot[c]!;
  });

  return {
    questionnaireId: questionnaire.id,
    version: questionnaire.version,
    criteria: questionnaire.criteria,
    count,
    kinds,
    valueCells,
    valueSlot,
    acceptAt,
    dims,
    valueCount,
    satParams,
    rangeCodeSlot,
    rangeCoded: Int32Array.from(questionnaire.criteria.keys()).filter((c) => rangeCodeSlot[c]! >= 0),
    rangeEdges: rangeEdgesOf,
    notedDealbreaker: { criterionSlot: strides.codes + strides.rangeCodes, maskSlot: strides.masks },
    optionIndex,
    strides,
    record: {
      bytes,
      words: bytes / 4,
      doubles: bytes / 8,
      steps: stepsAt,
      masks: masksAt,
      nums: numsAt,
      minScore,
      weight: minScore + 1,
    },
  };
}

/** Did row `slot` give a value of its own on criterion `c`? (Each value column has its "none".) */
export function hasValue(row: RowArrays, slot: number, c: number): boolean {
  const at = row.layout.valueSlot[c]! * row.capacity + slot;
  switch (row.layout.valueCells[c]!) {
    case 'codes':
      return row.codes[at] !== MISSING_CODE;
    case 'masks':
      return row.masks[at] !== 0;
    case 'nums':
      return !Number.isNaN(row.nums[at]!);
    case 'ratings':
      return row.ratings[at] !== 0;
  }
}
