import { html, nothing, type TemplateResult } from 'lit';
import type { MessageKey } from '../i18n/index.ts';
import type { Criterion, Draft } from './answer-model.ts';

type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;
type Patch = (patch: Partial<Draft>) => void;

/** The own-situation and expectation fields of one criterion, by kind, with real labels. */
export function criterionFields(
  criterion: Criterion,
  draft: Draft,
  patch: Patch,
  t: Translate,
): TemplateResult {
  const id = `c-${criterion.id}`;
  const own = criterion.candidate.prompt;
  const expect = criterion.candidate.acceptPrompt ?? '';
  switch (criterion.kind) {
    case 'single': {
      const options = criterion.options ?? [];
      const accepted = (draft.accept as string[] | undefined) ?? [];
      return html`
        ${radios(
          `${id}-value`,
          own,
          options.map((o) => [o.id, o.label]),
          draft.value as string | undefined,
          (value) => patch({ value }),
        )}
        ${checkboxes(
          `${id}-accept`,
          expect,
          options.map((o) => [o.id, o.label]),
          accepted,
          (accept) => patch({ accept }),
        )}
      `;
    }
    case 'multi': {
      const options = criterion.options ?? [];
      const accept = (draft.accept as { mode: 'any' | 'all'; options: string[] } | undefined) ?? {
        mode: 'any',
        options: [],
      };
      return html`
        ${checkboxes(
          `${id}-value`,
          own,
          options.map((o) => [o.id, o.label]),
          (draft.value as string[] | undefined) ?? [],
          (value) => patch({ value }),
        )}
        ${checkboxes(
          `${id}-accept`,
          expect,
          options.map((o) => [o.id, o.label]),
          accept.options,
          (chosen) => patch({ accept: { ...accept, options: chosen } }),
        )}
        ${radios(
          `${id}-mode`,
          t('q.mode'),
          [
            ['any', t('q.mode.any')],
            ['all', t('q.mode.all')],
          ],
          accept.mode,
          (mode) => patch({ accept: { ...accept, mode } }),
        )}
      `;
    }
    case 'scale': {
      const steps = (criterion.steps ?? []).map((s, i) => [String(i), s.label] as [string, string]);
      const accept = draft.accept as { min: number; max: number } | undefined;
      const setBound = (bound: 'min' | 'max', raw: string) => {
        if (raw === '') return patch({ accept: undefined });
        const other = accept ?? { min: 0, max: steps.length - 1 };
        patch({ accept: { ...other, [bound]: Number(raw) } });
      };
      return html`
        ${radios(`${id}-value`, own, steps, draft.value === undefined ? undefined : String(draft.value), (v) => patch({ value: Number(v) }))}
        <fieldset>
          <legend>${expect}</legend>
          <div class="row">
            ${select(`${id}-min`, t('q.from'), steps, accept ? String(accept.min) : '', (v) => setBound('min', v))}
            ${select(`${id}-max`, t('q.to'), steps, accept ? String(accept.max) : '', (v) => setBound('max', v))}
          </div>
        </fieldset>
      `;
    }
    case 'number':
    case 'date': {
      const type = criterion.kind === 'date' ? 'date' : 'number';
      const unit = criterion.unit ? ` (${criterion.unit})` : '';
      const [lower, upper] =
        criterion.kind === 'date' ? (['from', 'to'] as const) : (['min', 'max'] as const);
      const accept = (draft.accept as Record<string, string | number | undefined> | undefined) ?? {};
      const parse = (raw: string) => (raw === '' ? undefined : type === 'number' ? Number(raw) : raw);
      return html`
        <div class="field">
          <label for="${id}-value">${own}${unit}</label>
          <input id="${id}-value" type=${type} min=${criterion.range?.min ?? nothing} max=${criterion.range?.max ?? nothing}
            .value=${draft.value === undefined ? '' : String(draft.value)}
            @change=${(e: Event) => patch({ value: parse((e.target as HTMLInputElement).value) })} />
        </div>
        <fieldset>
          <legend>${expect}${unit}</legend>
          <div class="row">
            ${input(`${id}-${lower}`, t(criterion.kind === 'date' ? 'q.from' : 'q.min'), type, accept[lower], (v) => patch({ accept: { ...accept, [lower]: parse(v) } }))}
            ${input(`${id}-${upper}`, t(criterion.kind === 'date' ? 'q.to' : 'q.max'), type, accept[upper], (v) => patch({ accept: { ...accept, [upper]: parse(v) } }))}
          </div>
        </fieldset>
      `;
    }
    case 'profile': {
      const ratings = (draft.value as (number | null)[] | undefined) ?? [];
      const levels = ['1', '2', '3', '4', '5'].map((n) => [n, n] as [string, string]);
      return html`
        <fieldset>
          <legend>${own}</legend>
          ${(criterion.dimensions ?? []).map((dimension, i) =>
            select(
              `${id}-${dimension.id}`,
              t('q.rating', { label: dimension.label }),
              levels,
              ratings[i] == null ? '' : String(ratings[i]),
              (v) => {
                const next = (criterion.dimensions ?? []).map((_, j) =>
                  j === i ? (v === '' ? null : Number(v)) : (ratings[j] ?? null),
                );
                patch({ value: next });
              },
            ),
          )}
        </fieldset>
      `;
    }
  }
}

function radios(
  name: string,
  legend: string,
  choices: [string, string][],
  chosen: string | undefined,
  pick: (value: string) => void,
) {
  return html`<fieldset>
    <legend>${legend}</legend>
    ${choices.map(
      ([value, label]) => html`<label class="choice">
        <input type="radio" name=${name} .value=${value} .checked=${chosen === value} @change=${() => pick(value)} />
        <span>${label}</span>
      </label>`,
    )}
  </fieldset>`;
}

function checkboxes(
  name: string,
  legend: string,
  choices: [string, string][],
  chosen: string[],
  set: (values: string[]) => void,
) {
  return html`<fieldset>
    <legend>${legend}</legend>
    ${choices.map(
      ([value, label]) => html`<label class="choice">
        <input type="checkbox" name=${name} .value=${value} .checked=${chosen.includes(value)}
          @change=${(e: Event) => set((e.target as HTMLInputElement).checked ? [...chosen, value] : chosen.filter((c) => c !== value))} />
        <span>${label}</span>
      </label>`,
    )}
  </fieldset>`;
}

function select(
  id: string,
  label: string,
  choices: [string, string][],
  chosen: string,
  set: (value: string) => void,
) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <select id=${id} @change=${(e: Event) => set((e.target as HTMLSelectElement).value)}>
      <option value="" ?selected=${chosen === ''}>—</option>
      ${choices.map(([value, text]) => html`<option value=${value} ?selected=${chosen === value}>${text}</option>`)}
    </select>
  </div>`;
}

function input(
  id: string,
  label: string,
  type: string,
  value: string | number | undefined,
  set: (value: string) => void,
) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} type=${type} .value=${value === undefined ? '' : String(value)} @change=${(e: Event) => set((e.target as HTMLInputElement).value)} />
  </div>`;
}

/** The importance choice every criterion ends with. */
export function importanceField(
  criterion: Criterion,
  draft: Draft,
  patch: Patch,
  t: Translate,
  levels: readonly string[],
) {
  return radios(
    `c-${criterion.id}-importance`,
    t('q.importance'),
    levels.map((level) => [level, t(`q.importance.${level}` as MessageKey)]),
    draft.importance,
    (importance) => patch({ importance: importance as Draft['importance'] }),
  );
}
