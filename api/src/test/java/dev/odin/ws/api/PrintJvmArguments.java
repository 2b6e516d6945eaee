package dev.odin.ws.api;

import java.lang.management.ManagementFactory;

/** Prints, one a line, the JVM arguments this process was started with (after the launcher expanded @files). */
public final class PrintJvmArguments {
  private PrintJvmArguments() {}

  public static void main(String[] args) {
    ManagementFactory.getRuntimeMXBean().getInputArguments().forEach(System.out::println);
  }
}
