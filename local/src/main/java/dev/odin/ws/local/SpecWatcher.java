package dev.odin.ws.local;

import dev.odin.ws.api.InvalidWsClusterException;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterYaml;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Re-reads the WsCluster file whenever its content changes and hands a valid edit on; an invalid one is refused
 * with every problem named, and nothing else happens. Polling the content (not the modification time or inotify)
 * sees every editor's way of saving, including rename-over and same-second writes.
 */
final class SpecWatcher implements Runnable {
  private final Path file;
  private final PrintStream out;
  private final Consumer<WsCluster> apply;
  private String lastSeen;
  private boolean reportedMissing;

  SpecWatcher(Path file, String initialContent, PrintStream out, Consumer<WsCluster> apply) {
    this.file = file;
    this.lastSeen = initialContent;
    this.out = out;
    this.apply = apply;
  }

  @Override
  public void run() {
    String content;
    try {
      content = Files.readString(file);
      reportedMissing = false;
    } catch (IOException e) {
      if (!reportedMissing) {
        out.println("odin-ws local: cannot read " + file + " (" + e.getMessage() + "); the running cluster is unchanged");
        reportedMissing = true;
      }
      return;
    }
    if (content.equals(lastSeen)) {
      return;
    }
    lastSeen = content;
    WsCluster edited;
    try {
      edited = WsClusterYaml.parse(content, file.toString());
    } catch (InvalidWsClusterException e) {
      out.println("odin-ws local: refused the edit, the running cluster is unchanged: " + e.getMessage());
      return;
    }
    apply.accept(edited);
  }
}
