/**
 * Spreads building many tree items over several event-loop turns. After getChildren, VS Code asks
 * for every child's TreeItem at once: for the rows of the Events view or a workflow's steps that is
 * one long task, which every other callback of the extension host (a websocket read, another
 * extension) waits behind. getTreeItem may return a promise, so past the first `perTurn` items of
 * a listing each is built in a later turn (setImmediate: one turn of the event loop per chunk, I/O
 * in between). VS Code then makes its own nodes of all of them in one task: that part is bounded
 * only by the number of rows (FLAT_PAGE).
 */
export class Pacer {
  private count = 0;
  private turns: Array<Promise<void>> = [];

  constructor(private readonly perTurn = 100) {}

  /** A new listing starts (getChildren was called): its first items are built at once again. */
  restart(): void {
    this.count = 0;
    this.turns = [];
  }

  /** `make()` now, or in the turn this item's chunk is given. */
  build<T>(make: () => T): T | Promise<T> {
    const turn = Math.floor(this.count++ / this.perTurn);
    return turn === 0 ? make() : this.turn(turn).then(make);
  }

  private turn(k: number): Promise<void> {
    while (this.turns.length < k) {
      const previous = this.turns.at(-1) ?? Promise.resolve();
      this.turns.push(previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))));
    }
    return this.turns[k - 1];
  }
}
