package dev.odin.ws.loadtest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name=value} flags, each read once; an unknown or malformed flag stops the command with its name. */
final class Args {
  private final Map<String, String> values = new LinkedHashMap<>();

  Args(String[] args, Set<String> known) {
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 3) {
        throw new IllegalArgumentException("flag '" + arg + "' is not of the form --name=value");
      }
      String name = arg.substring(2, eq);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown flag --" + name + " (known: " + String.join(", ", known) + ")");
      }
      values.put(name, arg.substring(eq + 1));
    }
  }

  String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  String required(String name) {
    String v = values.get(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }

  long number(String name, long fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Long.parseLong(v.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + "=" + v + " is not a whole number");
    }
  }

  int integer(String name, int fallback) {
    return Math.toIntExact(number(name, fallback));
  }

  double decimal(String name, double fallback) {
    String v = values.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + "=" + v + " is not a number");
    }
  }

  boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  List<String> list(String name, String fallback) {
    String v = values.getOrDefault(name, fallback);
    if (v == null || v.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String part : v.split(",")) {
      if (!part.isBlank()) {
        out.add(part.trim());
      }
    }
    return out;
  }

  /** The flags as given, for handing on to a worker. */
  List<String> asFlags(String... names) {
    List<String> out = new ArrayList<>();
    for (String n : Arrays.asList(names)) {
      if (values.containsKey(n)) {
        out.add("--" + n + "=" + values.get(n));
      }
    }
    return out;
  }
}
