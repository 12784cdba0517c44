/** Gives each distinct id an index, in order of first appearance. */
export class IdNumbering {
  readonly ids: string[] = [];
  private readonly numbers = new Map<string, number>();

  of(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.ids.push(id) - 1;
      this.numbers.set(id, n);
    }
    return n;
  }

  /** The id's index, or undefined when it has none (without giving it one). */
  numberOf(id: string): number | undefined {
    return this.numbers.get(id);
  }
}
