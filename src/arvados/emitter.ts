/** A minimal typed event emitter in the style of vscode.EventEmitter, usable without vscode. */

export interface Disposable {
  dispose(): void;
}

/** `detail`: what the emitter adds to some values, for listeners that want it (e.g. an event's JSON text). */
export type Listener<T, D = never> = (value: T, detail?: D) => void;

export class Emitter<T, D = never> {
  private readonly listeners = new Set<Listener<T, D>>();
  /** The listener when there is exactly one (the usual case on the event path): fire then neither copies nor iterates. */
  private single?: Listener<T, D>;

  /** Subscribes a listener; dispose the result to unsubscribe. */
  readonly event = (listener: Listener<T, D>): Disposable => {
    this.listeners.add(listener);
    this.noteListeners();
    return {
      dispose: () => {
        this.listeners.delete(listener);
        this.noteListeners();
      },
    };
  };

  private noteListeners(): void {
    this.single = this.listeners.size === 1 ? this.listeners.values().next().value : undefined;
  }

  /** Calls every listener. A throwing listener is reported to `onListenerError` and does not stop the others. */
  fire(value: T, onListenerError?: (err: unknown) => void, detail?: D): void {
    const single = this.single;
    if (single) {
      try {
        single(value, detail);
      } catch (err) {
        onListenerError?.(err);
      }
      return;
    }
    // A copy: a listener may subscribe or unsubscribe others while they are called.
    for (const l of [...this.listeners]) {
      try {
        l(value, detail);
      } catch (err) {
        onListenerError?.(err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
    this.single = undefined;
  }
}
