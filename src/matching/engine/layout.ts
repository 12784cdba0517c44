import type { CriterionDefinition, QuestionnaireDefinition } from '../../questionnaires/definition.ts';

/** Criterion kinds as small integers for the scan loop. */
export const SINGLE = 0;
export const MULTI = 1;
export const SCALE = 2;
export const NUMBER = 3;
export const PROFILE = 4;
const kindCode = { single: SINGLE, multi: MULTI, scale: SCALE, number: NUMBER, profile: PROFILE } as const;

/**
 * Where each criterion's data sits in a profile's typed-array rows. Built once per questionnaire
 * version; every profile of that version shares it.
 */
export interface Layout {
  questionnaireId: string;
  version: number;
  criteria: readonly CriterionDefinition[];
  count: number;
  kinds: Uint8Array;
  /** per criterion: column in codes (single, scale), masks (multi), nums (number) or ratings offset (profile) */
  valueSlot: Int32Array;
  /**
   * per criterion: where its expectation sits in a row's record, in units of the array it is in:
   * acceptMasks (single, multi), a pair in acceptSteps (scale), a pair in acceptNums (number)
   */
  acceptAt: Int32Array;
  /** per criterion: profile dimensions, scale tolerance, number toleranceRatio and range width */
  dims: Int32Array;
  /** per criterion: how many codes a value can take (single: options, scale: steps) */
  valueCount: Int32Array;
  tolerance: Float64Array;
  toleranceRatio: Float64Array;
  rangeWidth: Float64Array;
  /** per criterion (single, multi, profile dimensions): option id → bit / index */
  optionIndex: readonly (ReadonlyMap<string, number> | undefined)[];
  strides: {
    codes: number;
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
   * not a line per criterion. Levels at byte 0 (one per criterion), then the scale bounds, the
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

export function compileLayout(questionnaire: QuestionnaireDefinition): Layout {
  const count = questionnaire.criteria.length;
  const kinds = new Uint8Array(count);
  const valueSlot = new Int32Array(count);
  const acceptSlot = new Int32Array(count);
  const acceptAt = new Int32Array(count);
  const dims = new Int32Array(count);
  const valueCount = new Int32Array(count);
  const tolerance = new Float64Array(count);
  const toleranceRatio = new Float64Array(count);
  const rangeWidth = new Float64Array(count);
  const optionIndex: (Map<string, number> | undefined)[] = [];
  const strides = { codes: 0, masks: 0, nums: 0, ratings: 0, acceptMasks: 0, acceptSteps: 0, acceptNums: 0 };

  questionnaire.criteria.forEach((criterion, c) => {
    kinds[c] = kindCode[criterion.kind];
    switch (criterion.kind) {
      case 'single':
        valueCount[c] = criterion.options.length;
        valueSlot[c] = strides.codes++;
        acceptSlot[c] = strides.acceptMasks++;
        optionIndex.push(new Map(criterion.options.map((o, i) => [o.id, i])));
        break;
      case 'multi':
        valueSlot[c] = strides.masks++;
        acceptSlot[c] = strides.acceptMasks++;
        optionIndex.push(new Map(criterion.options.map((o, i) => [o.id, i])));
        break;
      case 'scale':
        valueCount[c] = criterion.steps.length;
        valueSlot[c] = strides.codes++;
        acceptSlot[c] = strides.acceptSteps;
        strides.acceptSteps += 2;
        tolerance[c] = criterion.tolerance;
        optionIndex.push(undefined);
        break;
      case 'number':
        valueSlot[c] = strides.nums++;
        acceptSlot[c] = strides.acceptNums;
        strides.acceptNums += 2;
        toleranceRatio[c] = criterion.toleranceRatio;
        rangeWidth[c] = criterion.range.max - criterion.range.min;
        optionIndex.push(undefined);
        break;
      case 'profile':
        valueSlot[c] = strides.ratings;
        dims[c] = criterion.dimensions.length;
        strides.ratings += criterion.dimensions.length;
        optionIndex.push(undefined);
        break;
    }
  });

  // The record: levels, scale bounds, masks, number bounds, each aligned to its element size.
  const stepsAt = count;
  const masksAt = Math.ceil((stepsAt + strides.acceptSteps) / 4);
  const numsAt = Math.ceil((4 * (masksAt + strides.acceptMasks)) / 8);
  const minScore = numsAt + strides.acceptNums;
  const bytes = 8 * (minScore + 2);
  kinds.forEach((kind, c) => {
    const base = kind === SCALE ? stepsAt : kind === NUMBER ? numsAt : masksAt;
    acceptAt[c] = kind === PROFILE ? 0 : base + acceptSlot[c]!;
  });

  return {
    questionnaireId: questionnaire.id,
    version: questionnaire.version,
    criteria: questionnaire.criteria,
    count,
    kinds,
    valueSlot,
    acceptAt,
    dims,
    valueCount,
    tolerance,
    toleranceRatio,
    rangeWidth,
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
