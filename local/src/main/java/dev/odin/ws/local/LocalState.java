package dev.odin.ws.local;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running local cluster tells other commands ({@code ./odin-ws publish}) about itself: where its
 * embedded broker and its balancer listen. One file per cluster name under the state directory.
 */
record LocalState(long pid, String bootstrapServers, int port) {

  static Path dir(Path stateDir, String cluster) {
    return stateDir.resolve(cluster);
  }

  static Path file(Path stateDir, String cluster) {
    return dir(stateDir, cluster).resolve("state.properties");
  }

  void write(Path file) {
    Properties p = new Properties();
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("bootstrapServers", bootstrapServers);
    p.setProperty("port", Integer.toString(port));
    try {
      Files.createDirectories(file.getParent());
      try (Writer w = Files.newBufferedWriter(file)) {
        p.store(w, "odin-ws local: deleted when the runner stops");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The state of a runner that is still alive, if any. */
  static Optional<LocalState> read(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    LocalState state = new LocalState(Long.parseLong(p.getProperty("pid")), p.getProperty("bootstrapServers"),
        Integer.parseInt(p.getProperty("port")));
    boolean alive = ProcessHandle.of(state.pid).map(ProcessHandle::isAlive).orElse(false);
    return alive ? Optional.of(state) : Optional.empty();
  }

  /** Deletes the file only if it is still ours: a second runner of the same cluster may have replaced it. */
  void deleteIfOwned(Path file) {
    try {
      if (read(file).map(s -> s.pid == pid).orElse(false)) {
        Files.deleteIfExists(file);
      }
    } catch (IOException | RuntimeException e) {
      // Best effort at shutdown: a stale file names a dead pid, which read() ignores.
    }
  }
}
