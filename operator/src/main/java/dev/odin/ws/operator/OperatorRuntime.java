package dev.odin.ws.operator;

/** What the dependents need from the process: its configuration. */
public record OperatorRuntime(OperatorConfig config) {

  /** Implemented by dependents that need the runtime; the dependent factory calls {@link #init}. */
  public interface Aware {
    void init(OperatorRuntime runtime);
  }
}
