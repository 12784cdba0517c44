import { css } from 'lit';

/**
 * The theme every element reads. Set these on the element or any ancestor:
 * --mutualfit-accent, --mutualfit-accent-text, --mutualfit-text, --mutualfit-muted,
 * --mutualfit-background, --mutualfit-surface, --mutualfit-border, --mutualfit-danger,
 * --mutualfit-success, --mutualfit-font, --mutualfit-radius, --mutualfit-spacing.
 * The defaults keep text at 4.5:1 or more against the background.
 */
export const sharedStyles = css`
  :host {
    display: block;
    color: var(--mutualfit-text, #1f2328);
    background: var(--mutualfit-background, transparent);
    font-family: var(--mutualfit-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    line-height: 1.5;
    /* Names, titles and addresses come from employers and may be one long word: they wrap rather
       than widen the page (WCAG 1.4.10, reflow at 320 px). */
    overflow-wrap: anywhere;
    --_accent: var(--mutualfit-accent, #0b5cad);
    --_accent-text: var(--mutualfit-accent-text, #ffffff);
    --_muted: var(--mutualfit-muted, #4f5660);
    --_surface: var(--mutualfit-surface, #f5f7fa);
    --_border: var(--mutualfit-border, #6b7280);
    --_danger: var(--mutualfit-danger, #b3261e);
    --_success: var(--mutualfit-success, #1b6e35);
    --_radius: var(--mutualfit-radius, 6px);
    --_space: var(--mutualfit-spacing, 1rem);
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  h2,
  h3,
  h4 {
    line-height: 1.25;
    margin: 0 0 calc(var(--_space) / 2);
  }
  p {
    margin: 0 0 calc(var(--_space) / 2);
  }
  button {
    font: inherit;
    cursor: pointer;
    min-height: 44px;
    padding: 0.5rem 1rem;
    border-radius: var(--_radius);
    border: 2px solid var(--_accent);
    background: var(--_accent);
    color: var(--_accent-text);
  }
  button.secondary {
    background: transparent;
    color: var(--_accent);
  }
  button.danger {
    background: var(--_danger);
    border-color: var(--_danger);
    color: #ffffff;
  }
  button[disabled] {
    opacity: 0.6;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 3px solid var(--_accent);
    outline-offset: 2px;
  }
  input,
  select {
    font: inherit;
    color: inherit;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.4rem 0.5rem;
    min-height: 44px;
    max-width: 100%;
    background: #ffffff;
  }
  input[type='radio'],
  input[type='checkbox'] {
    min-height: auto;
    width: 1.25rem;
    height: 1.25rem;
    margin: 0;
    accent-color: var(--_accent);
    flex: none;
  }
  fieldset {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: calc(var(--_space) / 2) var(--_space) var(--_space);
    margin: 0 0 var(--_space);
    min-width: 0;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  .choice {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    padding: 0.25rem 0;
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 0.25rem;
    margin-bottom: calc(var(--_space) / 2);
  }
  .field select,
  .field input {
    width: 100%;
  }
  .row > .field {
    flex: 1 1 10rem;
    min-width: 0;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) / 2);
    align-items: flex-end;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: calc(var(--_space) / 2);
    margin-top: var(--_space);
  }
  .muted {
    color: var(--_muted);
  }
  .error {
    color: var(--_danger);
    font-weight: 600;
  }
  .status {
    color: var(--_success);
    font-weight: 600;
  }
  .card {
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space);
    margin-bottom: var(--_space);
  }
  .actions + .card {
    margin-top: var(--_space);
  }
  .withdrawal {
    margin-top: calc(var(--_space) * 1.5);
  }
  .bar {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto;
    column-gap: 0.5rem;
    margin-bottom: 0.25rem;
  }
  .bar-value {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
  }
  .bar svg {
    grid-column: 1 / -1;
    width: 100%;
    height: 0.75rem;
    display: block;
  }
  progress {
    width: 100%;
    height: 0.75rem;
    accent-color: var(--_accent);
    margin-bottom: var(--_space);
  }
  ul.plain {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  .bar .track {
    fill: #dde3ea;
  }
  .bar .fill {
    fill: var(--_accent);
  }
  .bar .fill.gap {
    fill: var(--_danger);
  }
  dialog {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space);
    max-width: min(32rem, calc(100vw - 2rem));
    color: inherit;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.5);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
