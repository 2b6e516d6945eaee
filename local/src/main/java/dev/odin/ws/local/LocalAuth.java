package dev.odin.ws.local;

import dev.odin.ws.api.AuthSpec;
import dev.odin.ws.api.ShardEnv;
import dev.odin.ws.api.WsCluster;
import dev.odin.ws.api.WsClusterDefaults;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What stands in locally for the Secrets the operator mounts: the JWT keys come from {@code spec.auth.jwt.keyFile}
 * (relative to the WsCluster file), and the management token of {@code POST /drain} is made per run into the run
 * directory, readable by this user only. The demo page's own origin is added to a non-empty
 * {@code spec.auth.allowedOrigins}, so the page keeps working.
 */
record LocalAuth(String managementToken, Map<String, String> env) {
  static final String MANAGEMENT_TOKEN_FILE = "management-token";

  /** Throws IllegalArgumentException with a sentence for the user when the spec cannot run locally. */
  static LocalAuth prepare(WsCluster cr, Path clusterFile, Path runDir, OptionalInt demoPagePort) {
    Map<String, String> env = new LinkedHashMap<>();
    if (WsClusterDefaults.authMode(cr) == AuthSpec.Mode.JWT) {
      String keyFile = cr.getSpec().getAuth().getJwt() == null ? null : cr.getSpec().getAuth().getJwt().getKeyFile();
      if (keyFile == null || keyFile.isBlank()) {
        throw new IllegalArgumentException("spec.auth.mode is JWT but spec.auth.jwt.keyFile is not set: local mode "
            + "reads the verification keys from a file (spec.auth.jwt.keySecretRef names a Kubernetes Secret)");
      }
      Path base = clusterFile.toAbsolutePath().getParent();
      Path keys = base.resolve(keyFile).normalize();
      if (!Files.isReadable(keys)) {
        throw new IllegalArgumentException("spec.auth.jwt.keyFile: cannot read " + keys);
      }
      env.put(ShardEnv.AUTH_KEY_FILE, keys.toString());
    }
    AuthSpec auth = cr.getSpec().getAuth();
    if (demoPagePort.isPresent() && auth != null && auth.getAllowedOrigins() != null
        && !auth.getAllowedOrigins().isEmpty()) {
      List<String> origins = new ArrayList<>(auth.getAllowedOrigins());
      origins.add("http://127.0.0.1:" + demoPagePort.getAsInt());
      origins.add("http://localhost:" + demoPagePort.getAsInt());
      env.put(ShardEnv.ALLOWED_ORIGINS, String.join(",", origins));
    }
    String token = newToken();
    Path tokenFile = runDir.resolve(MANAGEMENT_TOKEN_FILE);
    try {
      Files.createDirectories(runDir);
      Files.deleteIfExists(tokenFile);
      Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tokenFile, token);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the management token to " + tokenFile, e);
    }
    env.put(ShardEnv.MANAGEMENT_TOKEN_FILE, tokenFile.toAbsolutePath().toString());
    return new LocalAuth(token, Map.copyOf(env));
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
