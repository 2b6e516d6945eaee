package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it: the {@code kubernetes} Service's variables, {@code envFrom}
 * (ConfigMaps and Secrets, with prefix), then {@code env} (values with {@code $(VAR)} references expanded, and
 * {@code valueFrom}: fieldRef, resourceFieldRef, configMapKeyRef, secretKeyRef), {@code HOSTNAME} = the pod's name.
 *
 * <p>There is no mount namespace: where a value names a path under one of the container's mountPaths (the whole value
 * or a word of it, e.g. {@code -Dconfig=/etc/app/app.yaml}), the path is rewritten to the directory standing in for
 * that mount. A container that mounts the ServiceAccount token at its usual place gets fabric8's overrides of that
 * place ({@code KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN}, {@code KUBERNETES_CERTS_CA_FILE}, {@code KUBENAMESPACE}), so
 * {@code new KubernetesClientBuilder().build()} in the process authenticates as the pod's ServiceAccount.
 */
final class PodEnvironment {
  static final String SERVICE_ACCOUNT_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([-._a-zA-Z][-._a-zA-Z0-9]*)\\)");
  // A path starts a word: at the start of the value or after one of these.
  private static final String WORD_START = " =:,;\"'";

  private final KeyValueSources sources;
  private final Map<String, Quantity> nodeAllocatable;
  private final String apiHost;
  private final int apiPort;

  PodEnvironment(KeyValueSources sources, Map<String, Quantity> nodeAllocatable, String apiHost, int apiPort) {
    this.sources = sources;
    this.nodeAllocatable = nodeAllocatable;
    this.apiHost = apiHost;
    this.apiPort = apiPort;
  }

  Map<String, String> resolve(Pod pod, Container container, String podIp, Map<String, Path> mounts) {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin"));
    env.put("HOSTNAME", pod.getMetadata().getName());
    // Kubernetes points these at the kubernetes Service's ClusterIP; nothing routes ClusterIPs here, so they name the
    // API server itself.
    env.put("KUBERNETES_SERVICE_HOST", apiHost);
    env.put("KUBERNETES_SERVICE_PORT", String.valueOf(apiPort));
    env.put("KUBERNETES_SERVICE_PORT_HTTPS", String.valueOf(apiPort));
    env.put("KUBERNETES_PORT", "tcp://" + apiHost + ":" + apiPort);
    for (EnvFromSource from : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
      String prefix = Optional.ofNullable(from.getPrefix()).orElse("");
      Map<String, byte[]> data = from.getConfigMapRef() != null
          ? sources.require(ns, from.getConfigMapRef().getName(), false,
              Boolean.TRUE.equals(from.getConfigMapRef().getOptional()))
          : sources.require(ns, from.getSecretRef().getName(), true,
              Boolean.TRUE.equals(from.getSecretRef().getOptional()));
      data.forEach((k, v) -> env.put(prefix + k, new String(v, StandardCharsets.UTF_8)));
    }
    for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
      String value = var.getValueFrom() != null
          ? valueFrom(pod, container, podIp, var.getName(), var.getValueFrom())
          : expand(Optional.ofNullable(var.getValue()).orElse(""), env);
      if (value != null) {
        env.put(var.getName(), value);
      }
    }
    env.replaceAll((k, v) -> rewritePaths(v, mounts));
    Path serviceAccount = mounts.get(SERVICE_ACCOUNT_MOUNT);
    if (serviceAccount != null) {
      env.put("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN", serviceAccount.resolve("token").toString());
      env.put("KUBERNETES_CERTS_CA_FILE", serviceAccount.resolve("ca.crt").toString());
      env.put("KUBENAMESPACE", serviceAccount.resolve("namespace").toString());
    }
    return env;
  }

  /** The container's command then args, {@code $(VAR)} expanded against its environment. */
  static List<String> args(Container container, Map<String, String> env) {
    List<String> args = new ArrayList<>();
    Optional.ofNullable(container.getCommand()).orElse(List.of()).forEach(a -> args.add(expand(a, env)));
    Optional.ofNullable(container.getArgs()).orElse(List.of()).forEach(a -> args.add(expand(a, env)));
    return args;
  }

  // null: an optional key or source that is missing, the variable is left out.
  private String valueFrom(Pod pod, Container container, String podIp, String name, EnvVarSource source) {
    String ns = pod.getMetadata().getNamespace();
    if (source.getFieldRef() != null) {
      return PodFields.field(pod, source.getFieldRef().getFieldPath(), podIp);
    }
    if (source.getResourceFieldRef() != null) {
      return PodFields.resource(pod, container.getName(), source.getResourceFieldRef(), nodeAllocatable);
    }
    boolean secret = source.getSecretKeyRef() != null;
    String sourceName = secret ? source.getSecretKeyRef().getName() : source.getConfigMapKeyRef().getName();
    String key = secret ? source.getSecretKeyRef().getKey() : source.getConfigMapKeyRef().getKey();
    boolean optional = Boolean.TRUE.equals(secret
        ? source.getSecretKeyRef().getOptional() : source.getConfigMapKeyRef().getOptional());
    byte[] value = sources.require(ns, sourceName, secret, optional).get(key);
    if (value == null && !optional) {
      throw new PodSetupException("couldn't find key " + key + " in " + (secret ? "Secret " : "ConfigMap ")
          + ns + "/" + sourceName + " (env " + name + ")");
    }
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  /** {@code $(VAR)} replaced by a variable defined before it, {@code $$} by {@code $}; unknown references stay. */
  static String expand(String value, Map<String, String> env) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(1) == null ? "$" : env.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    return m.appendTail(out).toString();
  }

  /** Every path under a mountPath, at the start of a word of {@code value}, rewritten to the mount's directory. */
  static String rewritePaths(String value, Map<String, Path> mounts) {
    List<String> longestFirst = mounts.keySet().stream().filter(p -> !"/".equals(p))
        .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      String matched = null;
      if (i == 0 || WORD_START.indexOf(value.charAt(i - 1)) >= 0) {
        for (String mountPath : longestFirst) {
          int end = i + mountPath.length();
          if (value.startsWith(mountPath, i) && (end == value.length() || value.charAt(end) == '/'
              || WORD_START.indexOf(value.charAt(end)) >= 0)) {
            matched = mountPath;
            break;
          }
        }
      }
      if (matched != null) {
        out.append(mounts.get(matched));
        i += matched.length();
      } else {
        out.append(value.charAt(i++));
      }
    }
    return out.toString();
  }
}
