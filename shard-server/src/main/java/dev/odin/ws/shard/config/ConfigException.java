package dev.odin.ws.shard.config;

/** A configuration value that the shard refuses to start with; the message names the variable. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String variable, String problem) {
    super(variable + ": " + problem);
  }
}
