/**
 * Spreads building many tree items over several event-loop turns. After getChildren, VS Code asks
 * for every child's TreeItem at once and turns them into its own nodes in the same task: for the
 * 1,000 rows of the Events view that is one task of 10-20 ms, which every other callback of the
 * extension host (a websocket read, another extension) waits behind. getTreeItem may return a
 * promise, so past the first `perTurn` items of a listing each is built in a later turn
 * (setImmediate: one turn of the event loop per chunk, I/O in between).
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
