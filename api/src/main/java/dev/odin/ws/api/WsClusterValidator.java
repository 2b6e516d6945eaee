package dev.odin.ws.api;

import java.util.ArrayList;
import java.util.List;

/**
 * The CRD's validation rules (OpenAPI bounds, required fields and the {@code minShards <= maxShards} rule) as plain
 * Java, for places without an API server (local mode). Each message names the field, as the API server would.
 */
public final class WsClusterValidator {
  private WsClusterValidator() {}

  /** All problems of {@code cr}; empty when it is valid. */
  public static List<String> problems(WsCluster cr) {
    List<String> out = new ArrayList<>();
    if (cr.getMetadata() == null || blank(cr.getMetadata().getName())) {
      out.add("metadata.name: Required value");
    } else if (cr.getMetadata().getName().length() > WsCluster.MAX_NAME_LENGTH) {
      out.add("metadata.name: Invalid value: " + WsCluster.NAME_LENGTH_MESSAGE); // WsCluster.NAME_LENGTH_RULE
    }
    WsClusterSpec spec = cr.getSpec();
    if (spec == null) {
      out.add("spec: Required value");
      return out;
    }
    min(out, "spec.shards", spec.getShards(), 0);
    min(out, "spec.maxConnectionsPerShard", spec.getMaxConnectionsPerShard(), 1);
    if (spec.getResources() != null && !spec.getResources().getAdditionalProperties().isEmpty()) {
      out.add("spec.resources: unknown field(s) " + spec.getResources().getAdditionalProperties().keySet());
    }
    kafka(out, spec.getKafka());
    if (spec.getBalancer() != null) {
      min(out, "spec.balancer.replicas", spec.getBalancer().getReplicas(), 0);
      min(out, "spec.balancer.port", spec.getBalancer().getPort(), 1);
      max(out, "spec.balancer.port", spec.getBalancer().getPort(), 65535);
    }
    if (spec.getDrain() != null) {
      min(out, "spec.drain.seconds", spec.getDrain().getSeconds(), 0);
      max(out, "spec.drain.seconds", spec.getDrain().getSeconds(), 3600);
    }
    autoscaling(out, spec.getAutoscaling());
    auth(out, spec.getAuth());
    return out;
  }

  /** Throws {@link InvalidWsClusterException} listing every problem. */
  public static WsCluster validate(WsCluster cr, String source) {
    List<String> problems = problems(cr);
    if (!problems.isEmpty()) {
      throw new InvalidWsClusterException(source, problems);
    }
    return cr;
  }

  private static void auth(List<String> out, AuthSpec auth) {
    if (auth == null) {
      return;
    }
    boolean jwt = auth.getMode() == null || auth.getMode() == AuthSpec.Mode.JWT;
    if (jwt && (auth.getJwt() == null
        || (auth.getJwt().getKeySecretRef() == null && blank(auth.getJwt().getKeyFile())))) {
      out.add("spec.auth: Invalid value: " + AuthSpec.KEYS_MESSAGE); // AuthSpec.KEYS_RULE
    }
    min(out, "spec.auth.refreshGraceSeconds", auth.getRefreshGraceSeconds(), 0);
    max(out, "spec.auth.refreshGraceSeconds", auth.getRefreshGraceSeconds(), 3600);
    if (auth.getJwt() != null) {
      min(out, "spec.auth.jwt.clockSkewSeconds", auth.getJwt().getClockSkewSeconds(), 0);
      max(out, "spec.auth.jwt.clockSkewSeconds", auth.getJwt().getClockSkewSeconds(), 600);
    }
    List<ChannelRuleSpec> channels = auth.getChannels() == null ? List.of() : auth.getChannels();
    for (int i = 0; i < channels.size(); i++) {
      if (channels.get(i).getPrefix() == null) {
        out.add("spec.auth.channels[" + i + "].prefix: Required value");
      }
      if (channels.get(i).getAccess() == null) {
        out.add("spec.auth.channels[" + i + "].access: Required value");
      }
    }
  }

  private static void kafka(List<String> out, KafkaSpec kafka) {
    if (kafka == null) {
      out.add("spec.kafka: Required value");
      return;
    }
    if (blank(kafka.getBootstrapServers())) {
      out.add("spec.kafka.bootstrapServers: Required value");
    }
    if (kafka.getTopics() == null || kafka.getTopics().isEmpty()) {
      out.add("spec.kafka.topics: Required value: at least one topic");
    } else {
      for (int i = 0; i < kafka.getTopics().size(); i++) {
        TopicSpec t = kafka.getTopics().get(i);
        if (t == null || blank(t.getName())) {
          out.add("spec.kafka.topics[" + i + "].name: Required value");
        }
      }
    }
    if (kafka.getSecretRef() != null && blank(kafka.getSecretRef().getName())) {
      out.add("spec.kafka.secretRef.name: Required value");
    }
  }

  private static void autoscaling(List<String> out, AutoscalingSpec a) {
    if (a == null) {
      return;
    }
    min(out, "spec.autoscaling.minShards", a.getMinShards(), 0);
    min(out, "spec.autoscaling.maxShards", a.getMaxShards(), 0);
    min(out, "spec.autoscaling.targetConnectionsPerShard", a.getTargetConnectionsPerShard(), 1);
    min(out, "spec.autoscaling.scaleUpStabilizationSeconds", a.getScaleUpStabilizationSeconds(), 0);
    min(out, "spec.autoscaling.scaleDownStabilizationSeconds", a.getScaleDownStabilizationSeconds(), 0);
    min(out, "spec.autoscaling.maxShardsPerStep", a.getMaxShardsPerStep(), 1);
    Double cpu = a.getTargetCpuUtilization();
    if (cpu != null && !(cpu > 0)) {
      out.add("spec.autoscaling.targetCpuUtilization: Invalid value: " + cpu + ": should be greater than 0");
    } else if (cpu != null && cpu > 1) {
      out.add("spec.autoscaling.targetCpuUtilization: Invalid value: " + cpu + ": should be less than or equal to 1");
    }
    // AutoscalingSpec.MIN_LE_MAX_RULE as the API server applies it: after defaulting both bounds.
    int minShards = a.getMinShards() == null ? WsClusterDefaults.MIN_SHARDS : a.getMinShards();
    int maxShards = a.getMaxShards() == null ? WsClusterDefaults.MAX_SHARDS : a.getMaxShards();
    if (minShards > maxShards) {
      out.add("spec.autoscaling: Invalid value: " + AutoscalingSpec.MIN_LE_MAX_MESSAGE
          + " (minShards " + minShards + ", maxShards " + maxShards + ")");
    }
  }

  private static void min(List<String> out, String field, Integer value, int min) {
    if (value != null && value < min) {
      out.add(field + ": Invalid value: " + value + ": should be greater than or equal to " + min);
    }
  }

  private static void max(List<String> out, String field, Integer value, int max) {
    if (value != null && value > max) {
      out.add(field + ": Invalid value: " + value + ": should be less than or equal to " + max);
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
