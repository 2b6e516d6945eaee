package dev.odin.ws.local;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The runner's console in a test: every line kept for assertions and echoed to the test's own output. */
final class Console extends PrintStream {
  private final List<String> lines;

  private Console(LineSink sink) {
    super(sink, true, StandardCharsets.UTF_8);
    this.lines = sink.lines;
  }

  static Console create() {
    return new Console(new LineSink());
  }

  List<String> lines() {
    return lines;
  }

  boolean contains(String fragment) {
    return lines.stream().anyMatch(l -> l.contains(fragment));
  }

  private static final class LineSink extends OutputStream {
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
      if (b == '\n') {
        String line = current.toString(StandardCharsets.UTF_8);
        current.reset();
        lines.add(line);
        System.out.println(line);
      } else {
        current.write(b);
      }
    }
  }
}
