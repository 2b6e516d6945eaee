package dev.odin.ws.testenv;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Gives tests a {@link KubeControlPlane} as a parameter (of a test, a lifecycle method or a constructor). One control
 * plane serves every test class of a test run (it takes seconds to start); it stops when the run ends, and keeps its
 * logs under {@code target/} when a test that used it failed. Each test class isolates itself in namespaces of its own
 * ({@link KubeControlPlane#createNamespace}).
 */
public final class ControlPlaneExtension implements ParameterResolver, TestWatcher {
  private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(ControlPlaneExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KubeControlPlane.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return shared(context);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    Shared shared = context.getRoot().getStore(STORE).get(Shared.class, Shared.class);
    if (shared != null) {
      shared.plane.keepWorkDir();
    }
  }

  static KubeControlPlane shared(ExtensionContext context) {
    return context.getRoot().getStore(STORE).getOrComputeIfAbsent(Shared.class, k -> new Shared(
        KubeControlPlane.start(Path.of("target", "control-plane-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))), Shared.class).plane;
  }

  /** Closed by JUnit when the root context (the whole run) closes. */
  private record Shared(KubeControlPlane plane) implements AutoCloseable {
    @Override
    public void close() {
      plane.close();
    }
  }
}
