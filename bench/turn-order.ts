// The order in which paired measurements take turns, when each turn's work
// can leave costs (collecting, mostly) to the turn after it.

/**
 * `items` in the order of pass `pass` (0, 1, 2…): rotated by one place every
 * two passes, and every other pass backwards. Over 2 × items.length passes
 * each item takes every place equally often, and over any two passes it
 * comes straight after each of its neighbours once, so what one item leaves
 * behind is not always paid by the same other one.
 */
export function turnOrder<T>(items: readonly T[], pass: number): T[] {
    const shift = ((Math.floor(pass / 2) % items.length) + items.length) % items.length;
    const rotated = [...items.slice(shift), ...items.slice(0, shift)];
    return pass % 2 === 0 ? rotated : rotated.reverse();
}
