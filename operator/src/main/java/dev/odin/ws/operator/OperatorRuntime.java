package dev.odin.ws.operator;

/** What the dependents need from the process: the configuration and the shared scale-down state. */
public record OperatorRuntime(OperatorConfig config, ScaleDownTracker scaleDowns) {

  /** Implemented by dependents that need the runtime; the dependent factory calls {@link #init}. */
  public interface Aware {
    void init(OperatorRuntime runtime);
  }
}
