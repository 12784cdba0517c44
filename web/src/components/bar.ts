import { html, svg } from 'lit';

/** A 0..1 value as a percentage with at most no decimals. */
export function percent(value: number): number {
  return Math.round(Math.max(0, Math.min(1, value)) * 100);
}

/**
 * A labelled horizontal bar drawn in SVG (no inline style, so it works under a strict CSP). The
 * number is visible text; the drawing is decoration beside it.
 */
export function bar(label: string, value: number, options: { gap?: boolean } = {}) {
  const width = percent(value);
  return html`<div class="bar">
    <span class="bar-label">${label}</span><span class="bar-value">${width}%</span>
    <svg viewBox="0 0 100 4" preserveAspectRatio="none" aria-hidden="true" focusable="false">
      ${svg`<rect class="track" width="100" height="4"></rect><rect class=${options.gap ? 'fill gap' : 'fill'} width=${width} height="4"></rect>`}
    </svg>
  </div>`;
}
