import { html, svg } from 'lit';
import { barHeights, binLabels } from './insights-model.ts';

const WIDTH = 200;
const TOP = 12;
const BASE = 62;
const COLUMN = WIDTH / 10;

/**
 * The score histogram as a column chart in SVG (attributes only, no inline style, so it works
 * under a strict CSP) with each count written above its column, and the same numbers as a table
 * for a screen reader or anyone who prefers to read them. The drawing itself is decoration.
 */
export function histogram(
  counts: readonly number[],
  text: { caption: string; range: string; count: string; table: string },
) {
  const heights = barHeights(counts, BASE - TOP);
  const labels = binLabels(counts.length);
  return html`<figure class="histogram">
    <figcaption>${text.caption}</figcaption>
    <svg viewBox="0 0 ${WIDTH} 76" aria-hidden="true" focusable="false">
      ${heights.map((height, i) => {
        const x = i * COLUMN;
        return svg`<rect class="column" x=${x + 2} y=${BASE - height} width=${COLUMN - 4} height=${height}></rect>
          <text class="count" x=${x + COLUMN / 2} y=${BASE - height - 3} text-anchor="middle" font-size="8">${counts[i]}</text>`;
      })}
      ${svg`<line class="axis" x1="0" y1=${BASE} x2=${WIDTH} y2=${BASE}></line>
        <text x="0" y="73" font-size="8">0%</text>
        <text x=${WIDTH / 2} y="73" font-size="8" text-anchor="middle">50%</text>
        <text x=${WIDTH} y="73" font-size="8" text-anchor="end">100%</text>`}
    </svg>
    <details>
      <summary>${text.table}</summary>
      <table>
        <thead><tr><th scope="col">${text.range}</th><th scope="col">${text.count}</th></tr></thead>
        <tbody>
          ${labels.map((label, i) => html`<tr><th scope="row">${label}</th><td>${counts[i]}</td></tr>`)}
        </tbody>
      </table>
    </details>
  </figure>`;
}
