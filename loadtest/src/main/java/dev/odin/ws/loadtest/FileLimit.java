package dev.odin.ws.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's open-file limit, from {@code /proc/self/limits} (-1 when unknown). */
record FileLimit(long soft, long hard) {
  /** Descriptors a JVM needs besides sockets: jars, epoll, pipes. */
  static final int RESERVED = 150;

  static FileLimit read() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
          return new FileLimit(parse(parts[0]), parse(parts[1]));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or no /proc: unknown.
    }
    return new FileLimit(-1, -1);
  }

  private static long parse(String s) {
    return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
  }
}
