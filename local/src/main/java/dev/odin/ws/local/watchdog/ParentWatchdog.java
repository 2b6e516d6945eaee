package dev.odin.ws.local.watchdog;

import java.io.IOException;
import java.io.InputStream;

/**
 * A {@code -javaagent} for shard processes started by local mode: when the runner dies, even by SIGKILL, the
 * shard exits too instead of lingering as an orphan holding ports.
 *
 * <p>The runner keeps the write end of the shard's stdin pipe open for its whole life, and the kernel closes it
 * when the runner dies however it dies, so end-of-file on stdin means "the runner is gone". The shard does not
 * read stdin itself. {@link System#exit} runs the shard's own shutdown hook, so it still drains as on SIGTERM.
 */
public final class ParentWatchdog {
  private ParentWatchdog() {}

  public static void premain(String args) {
    Thread watchdog = new Thread(ParentWatchdog::awaitEndOfInput, "odin-ws-local-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static void awaitEndOfInput() {
    InputStream in = System.in;
    byte[] buffer = new byte[64];
    try {
      while (in.read(buffer) >= 0) {
        // The runner never writes; anything read is ignored.
      }
    } catch (IOException e) {
      // A broken pipe means the same as end-of-file: nobody is at the other end.
    }
    System.err.println("odin-ws local: the runner is gone; this shard stops");
    System.exit(0);
  }
}
