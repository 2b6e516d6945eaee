package dev.odin.ws.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code /proc} and {@code jcmd} say about this machine and the server processes. */
final class Machine {
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
  private static final long CLOCK_TICKS = 100; // USER_HZ on Linux x86-64

  private Machine() {}

  static Map<String, Object> conditions() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("nproc", Runtime.getRuntime().availableProcessors());
    c.put("cpu", cpuModel());
    c.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    c.put("loadAverage", loadAverage());
    return c;
  }

  static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "unknown";
  }

  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** User plus system CPU seconds the process has used so far, or -1 when it is gone. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Write system calls ({@code write}, {@code writev}) the process has made so far ({@code syscw} of
   * {@code /proc/<pid>/io}, readable for our own user's processes), or -1 when unknown.
   */
  static long writeCalls(long pid) {
    return ioCounter(pid, "syscw:");
  }

  /** Bytes the process has passed to write system calls so far ({@code wchar}), sockets included, or -1. */
  static long writtenBytes(long pid) {
    return ioCounter(pid, "wchar:");
  }

  private static long ioCounter(long pid, String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.substring(name.length()).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or not ours
    }
    return -1;
  }

  /**
   * The kernel's socket figures: {@code TCP inuse, orphan, tw, alloc} and {@code mem} (pages of socket buffers, IPv4
   * and IPv6 together) from {@code /proc/net/sockstat}, as {@code tcp_inuse}, ..., {@code tcp_mem_pages}, and
   * {@code sockets_used}; {@code tcp6_inuse} from {@code /proc/net/sockstat6}: a JVM's sockets are IPv6 sockets even
   * to an IPv4 address, and count there, not in {@code tcp_inuse}. Empty when the files cannot be read.
   */
  static Map<String, Long> sockstat() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String file : new String[] {"/proc/net/sockstat", "/proc/net/sockstat6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(file))) {
          String[] words = line.trim().split("\\s+");
          String prefix = words[0].replace(":", "").toLowerCase(java.util.Locale.ROOT);
          if (!prefix.equals("tcp") && !prefix.equals("tcp6") && !prefix.equals("sockets")) {
            continue;
          }
          for (int i = 1; i + 1 < words.length; i += 2) {
            out.put(prefix + "_" + words[i] + (words[i].equals("mem") ? "_pages" : ""), Long.parseLong(words[i + 1]));
          }
        }
      } catch (IOException | RuntimeException e) {
        // not Linux, or no IPv6: no figures from this file
      }
    }
    return out;
  }

  /** {@code MemAvailable} of {@code /proc/meminfo} in KiB, or -1. */
  static long memAvailableKb() {
    return kibField(Path.of("/proc/meminfo"), "MemAvailable:");
  }

  /** Resident set size in KiB, or -1. */
  static long rssKb(long pid) {
    return kibField(Path.of("/proc/" + pid + "/status"), "VmRSS:");
  }

  /** The number on the line of {@code file} that starts with {@code name} (a "Name:   123 kB" line), or -1. */
  private static long kibField(Path file, String name) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(name)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone, or not Linux
    }
    return -1;
  }

  /** Forces a full GC in a JVM and returns its heap in use afterwards in KiB, or -1. */
  static long heapAfterGcKb(long pid) {
    jcmd(pid, "GC.run");
    trimNativeHeap(pid);
    Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /**
   * Returns to the OS what the process's native allocations freed, as a shard's own periodic trim
   * ({@code -XX:TrimNativeHeapInterval=5000}) does within 5 s, so an RSS reading is not at the mercy of that timing.
   */
  static void trimNativeHeap(long pid) {
    jcmd(pid, "System.trim_native_heap");
  }

  private static String jcmd(long pid, String command) {
    try {
      Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
          Long.toString(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
