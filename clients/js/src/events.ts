/** A small typed event emitter: a throwing listener never breaks the client or the other listeners. */
export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (value: never) => void);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (value: Events[K]) => void): void {
    this.listeners.get(event)?.delete(listener as (value: never) => void);
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      invokeSafely(listener as (value: Events[K]) => void, value);
    }
  }
}

/**
 * Calls application code. An exception is rethrown on a fresh task, so it reaches the runtime's unhandled-error
 * reporting (the console, `process.on("uncaughtException")`) without unwinding the client's own bookkeeping.
 */
export function invokeSafely<T>(fn: (value: T) => void, value: T): void {
  try {
    fn(value);
  } catch (error) {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}
