package dev.odin.ws.testenv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a container's env values change on their way to the process: $(VAR) expansion and path rewriting. */
class PodEnvironmentTest {
  private static final Map<String, Path> MOUNTS = Map.of(
      "/etc/app", Path.of("/pods/p/volumes/config"),
      "/etc/app/secret", Path.of("/pods/p/volumes/secret"),
      "/tmp", Path.of("/pods/p/volumes/tmp"));

  @Test
  void referencesToEarlierVariablesExpandAndDoubleDollarEscapes() {
    Map<String, String> env = new LinkedHashMap<>(Map.of("HOST", "shard-0", "PORT", "8080"));
    assertEquals("ws://shard-0:8080/ws", PodEnvironment.expand("ws://$(HOST):$(PORT)/ws", env));
    assertEquals("$(HOST) stays", PodEnvironment.expand("$$(HOST) stays", env));
    assertEquals("$(UNKNOWN) stays", PodEnvironment.expand("$(UNKNOWN) stays", env));
  }

  @Test
  void aPathUnderAMountPathIsRewrittenToItsDirectoryTheLongestMountFirst() {
    assertEquals("/pods/p/volumes/config/app.yaml", PodEnvironment.rewritePaths("/etc/app/app.yaml", MOUNTS));
    assertEquals("/pods/p/volumes/secret/key", PodEnvironment.rewritePaths("/etc/app/secret/key", MOUNTS));
    assertEquals("/pods/p/volumes/config", PodEnvironment.rewritePaths("/etc/app", MOUNTS));
    assertEquals("-Djava.io.tmpdir=/pods/p/volumes/tmp -Dconfig=/pods/p/volumes/config/a.properties",
        PodEnvironment.rewritePaths("-Djava.io.tmpdir=/tmp -Dconfig=/etc/app/a.properties", MOUNTS));
    assertEquals("/pods/p/volumes/tmp:/usr/lib", PodEnvironment.rewritePaths("/tmp:/usr/lib", MOUNTS));
  }

  @Test
  void whatOnlyLooksLikeAMountPathStaysAsItIs() {
    assertEquals("/etc/application.yaml", PodEnvironment.rewritePaths("/etc/application.yaml", MOUNTS));
    assertEquals("/var/tmp/x", PodEnvironment.rewritePaths("/var/tmp/x", MOUNTS));
    assertEquals("http://host/tmp", PodEnvironment.rewritePaths("http://host/tmp", MOUNTS));
    assertEquals("plain", PodEnvironment.rewritePaths("plain", MOUNTS));
  }

  @Test
  void theRuntimeMappingIsKeyedByTheImageWithoutTagOrDigest() {
    assertEquals("ghcr.io/odin-ws/shard-server", PodWorkerContext.repository("ghcr.io/odin-ws/shard-server:0.1.0"));
    assertEquals("localhost:5000/shard", PodWorkerContext.repository("localhost:5000/shard"));
    assertEquals("localhost:5000/shard", PodWorkerContext.repository("localhost:5000/shard:1@sha256:abc"));
    assertEquals("envoyproxy/envoy", PodWorkerContext.repository("envoyproxy/envoy@sha256:abc"));
  }
}
