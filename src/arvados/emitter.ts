/** A minimal typed event emitter in the style of vscode.EventEmitter, usable without vscode. */

export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (value: T) => void;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Subscribes a listener; dispose the result to unsubscribe. */
  readonly event = (listener: Listener<T>): Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  /** Calls every listener. A throwing listener is reported to `onListenerError` and does not stop the others. */
  fire(value: T, onListenerError?: (err: unknown) => void): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch (err) {
        onListenerError?.(err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
