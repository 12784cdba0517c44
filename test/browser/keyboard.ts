import type { Locator, Page } from 'playwright-core';

/**
 * Keyboard-only input, as a person without a mouse: focus moves with Tab (never `focus()` or a
 * click), choices with Space and the arrow keys, text by typing.
 */

/** At most this many Tab presses to reach a control: more means it is not in the tab order. */
const MAX_TABS = 60;

/** The focused element of its own document or shadow root (typed loosely: no DOM types here). */
interface InPage {
  getRootNode(): { activeElement: unknown };
}
/** Whether the element has the focus, inside whatever shadow root it lives in. */
export function focused(target: Locator): Promise<boolean> {
  // Serialised into the page: it may use nothing from this module.
  return target.evaluate((element) => (element as unknown as InPage).getRootNode().activeElement === element);
}

/** Presses Tab until `target` has the focus; fails when it is not reachable that way. */
export async function tabTo(page: Page, target: Locator): Promise<void> {
  await target.waitFor();
  for (let presses = 0; presses < MAX_TABS; presses++) {
    if (await focused(target)) return;
    await page.keyboard.press('Tab');
  }
  if (await focused(target)) return;
  throw new Error(`${target} cannot be reached with Tab (${MAX_TABS} presses)`);
}

/** Tabs to a checkbox and ticks it with Space. */
export async function tick(page: Page, checkbox: Locator): Promise<void> {
  await tabTo(page, checkbox);
  await page.keyboard.press('Space');
}

/**
 * Picks `choice` in its radio group: Tab enters the group (on its first or checked radio), the
 * arrow key moves and checks; Space checks the one Tab landed on.
 */
export async function pickRadio(page: Page, group: Locator, choice: string): Promise<void> {
  const radios = group.getByRole('radio');
  const target = group.getByRole('radio', { name: choice, exact: true });
  await target.waitFor();
  for (let presses = 0; presses < MAX_TABS; presses++) {
    const inGroup = await radios.evaluateAll((all) =>
      all.some((radio) => (radio as unknown as InPage).getRootNode().activeElement === radio),
    );
    if (inGroup) break;
    await page.keyboard.press('Tab');
  }
  if (await focused(target)) {
    await page.keyboard.press('Space');
    return;
  }
  for (let moves = 0; moves < (await radios.count()); moves++) {
    if (await target.isChecked()) return;
    await page.keyboard.press('ArrowDown');
  }
  if (!(await target.isChecked())) throw new Error(`the radio ${choice} was not reached with the arrow keys`);
}

/** Tabs to a field and types into it; the change is committed when focus leaves (the next Tab). */
export async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field);
  await page.keyboard.type(text);
}

/**
 * Tabs to a closed <select> and moves to an option with the arrow keys (each step selects, as a
 * keyboard user's would). Not by typing its text: the browser's type-ahead starts over after a
 * pause between keys, which a busy machine makes, and then lands on another option.
 */
export async function chooseOption(page: Page, select: Locator, option: string): Promise<void> {
  await tabTo(page, select);
  type Select = { selectedIndex: number; options: ArrayLike<{ text: string }> };
  const { current, target } = await select.evaluate((element, wanted) => {
    const { selectedIndex, options } = element as unknown as Select;
    const texts = Array.from(options, (o) => o.text.trim());
    return { current: selectedIndex, target: texts.indexOf(wanted) };
  }, option);
  if (target < 0) throw new Error(`the select has no option ${option}`);
  const key = target > current ? 'ArrowDown' : 'ArrowUp';
  for (let step = 0; step < Math.abs(target - current); step++) await page.keyboard.press(key);
  const chosen = await select.evaluate((element) => {
    const { selectedIndex, options } = element as unknown as Select;
    return options[selectedIndex]?.text.trim();
  });
  if (chosen !== option) throw new Error(`the arrow keys reached ${chosen}, not ${option}`);
}

/** Tabs to a button and presses Enter. */
export async function press(page: Page, button: Locator): Promise<void> {
  await tabTo(page, button);
  await page.keyboard.press('Enter');
}
