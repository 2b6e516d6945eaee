package dev.odin.ws.loadtest;

/** A daemon thread that runs a progress line once a second until it is interrupted. */
final class EverySecond {
  private EverySecond() {}

  static Thread start(String name, Runnable tick) {
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
        tick.run();
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
