package dev.odin.ws.testenv;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccountTokenProjection;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A pod's volumes as directories under the pod's own directory: emptyDir, configMap, secret, downwardAPI, projected
 * (with its ServiceAccount token from the TokenRequest API, bound to the pod) and hostPath (the host's own path).
 * Contents are written once, when the pod starts; later changes to a ConfigMap or Secret do not reach a running pod.
 */
final class PodVolumes {
  private static final int DEFAULT_MODE = 0644;

  private final KubernetesClient client;
  private final KeyValueSources sources;
  private final Map<String, Quantity> nodeAllocatable;

  PodVolumes(KubernetesClient client, Map<String, Quantity> nodeAllocatable) {
    this.client = client;
    this.sources = new KeyValueSources(client);
    this.nodeAllocatable = nodeAllocatable;
  }

  /** Writes every volume of {@code pod} under {@code volumesDir}; volume name to its directory. */
  Map<String, Path> materialise(Pod pod, String podIp, Path volumesDir) {
    Map<String, Path> dirs = new LinkedHashMap<>();
    for (Volume volume : Optional.ofNullable(pod.getSpec().getVolumes()).orElse(List.of())) {
      if (volume.getHostPath() != null) {
        dirs.put(volume.getName(), Path.of(volume.getHostPath().getPath()));
        continue;
      }
      Path dir = volumesDir.resolve(volume.getName());
      try {
        createDirectory(dir);
        write(pod, podIp, volume, dir);
      } catch (PodSetupException e) {
        throw new PodSetupException("MountVolume.SetUp failed for volume \"" + volume.getName() + "\" : "
            + e.getMessage());
      }
      dirs.put(volume.getName(), dir);
    }
    return dirs;
  }

  /** Each of {@code container}'s mountPaths mapped to the directory (or file, with subPath) standing in for it. */
  static Map<String, Path> mounts(Container container, Map<String, Path> volumeDirs) {
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (VolumeMount mount : Optional.ofNullable(container.getVolumeMounts()).orElse(List.of())) {
      Path dir = volumeDirs.get(mount.getName());
      if (dir == null) {
        throw new PodSetupException("volumeMount " + mount.getName() + " names no volume of the pod");
      }
      String subPath = mount.getSubPath();
      mounts.put(trimSlash(mount.getMountPath()), subPath == null || subPath.isEmpty() ? dir : dir.resolve(subPath));
    }
    return mounts;
  }

  private void write(Pod pod, String podIp, Volume volume, Path dir) {
    String ns = pod.getMetadata().getNamespace();
    if (volume.getEmptyDir() != null) {
      return;
    }
    if (volume.getConfigMap() != null) {
      var source = volume.getConfigMap();
      writeKeys(dir, sources.require(ns, source.getName(), false, Boolean.TRUE.equals(source.getOptional())),
          source.getItems(), mode(source.getDefaultMode()), "configmap " + source.getName());
    } else if (volume.getSecret() != null) {
      var source = volume.getSecret();
      writeKeys(dir, sources.require(ns, source.getSecretName(), true, Boolean.TRUE.equals(source.getOptional())),
          source.getItems(), mode(source.getDefaultMode()), "secret " + source.getSecretName());
    } else if (volume.getDownwardAPI() != null) {
      writeDownward(pod, podIp, dir, volume.getDownwardAPI().getItems(), mode(volume.getDownwardAPI().getDefaultMode()));
    } else if (volume.getProjected() != null) {
      int mode = mode(volume.getProjected().getDefaultMode());
      for (VolumeProjection projection : volume.getProjected().getSources()) {
        writeProjection(pod, podIp, dir, projection, mode);
      }
    } else {
      throw new PodSetupException("this volume type cannot be stood in for by a local directory; the process "
          + "kubelet runs emptyDir, configMap, secret, downwardAPI, projected and hostPath volumes");
    }
  }

  private void writeProjection(Pod pod, String podIp, Path dir, VolumeProjection projection, int mode) {
    String ns = pod.getMetadata().getNamespace();
    if (projection.getServiceAccountToken() != null) {
      ServiceAccountTokenProjection token = projection.getServiceAccountToken();
      writeFile(dir.resolve(token.getPath()), serviceAccountToken(pod, token).getBytes(StandardCharsets.UTF_8), mode);
    } else if (projection.getConfigMap() != null) {
      var source = projection.getConfigMap();
      writeKeys(dir, sources.require(ns, source.getName(), false, Boolean.TRUE.equals(source.getOptional())),
          source.getItems(), mode, "configmap " + source.getName());
    } else if (projection.getSecret() != null) {
      var source = projection.getSecret();
      writeKeys(dir, sources.require(ns, source.getName(), true, Boolean.TRUE.equals(source.getOptional())),
          source.getItems(), mode, "secret " + source.getName());
    } else if (projection.getDownwardAPI() != null) {
      writeDownward(pod, podIp, dir, projection.getDownwardAPI().getItems(), mode);
    } else {
      throw new PodSetupException("unsupported projected volume source " + projection);
    }
  }

  /** A token of the pod's ServiceAccount, bound to the pod: the API server stops accepting it once the pod is gone. */
  private String serviceAccountToken(Pod pod, ServiceAccountTokenProjection projection) {
    TokenRequestBuilder request = new TokenRequestBuilder().withNewSpec()
        .withExpirationSeconds(Optional.ofNullable(projection.getExpirationSeconds()).orElse(3600L))
        .withNewBoundObjectRef().withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName())
        .withUid(pod.getMetadata().getUid()).endBoundObjectRef()
        .endSpec();
    if (projection.getAudience() != null && !projection.getAudience().isEmpty()) {
      request.editSpec().withAudiences(projection.getAudience()).endSpec();
    }
    String account = Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("default");
    TokenRequest issued = client.serviceAccounts().inNamespace(pod.getMetadata().getNamespace()).withName(account)
        .tokenRequest(request.build());
    return issued.getStatus().getToken();
  }

  private void writeDownward(Pod pod, String podIp, Path dir, List<DownwardAPIVolumeFile> items, int mode) {
    for (DownwardAPIVolumeFile item : Optional.ofNullable(items).orElse(List.of())) {
      String value = item.getFieldRef() != null
          ? PodFields.field(pod, item.getFieldRef().getFieldPath(), podIp)
          : PodFields.resource(pod, "", item.getResourceFieldRef(), nodeAllocatable);
      writeFile(dir.resolve(item.getPath()), value.getBytes(StandardCharsets.UTF_8),
          item.getMode() == null ? mode : item.getMode());
    }
  }

  private static void writeKeys(Path dir, Map<String, byte[]> data, List<KeyToPath> items, int mode, String what) {
    if (items == null || items.isEmpty()) {
      data.forEach((key, value) -> writeFile(dir.resolve(key), value, mode));
      return;
    }
    for (KeyToPath item : items) {
      byte[] value = data.get(item.getKey());
      if (value == null) {
        if (data.isEmpty()) {
          continue; // an optional source that is missing
        }
        throw new PodSetupException("key " + item.getKey() + " not found in " + what);
      }
      writeFile(dir.resolve(item.getPath()), value, item.getMode() == null ? mode : item.getMode());
    }
  }

  private static int mode(Integer declared) {
    return declared == null ? DEFAULT_MODE : declared;
  }

  private static void writeFile(Path file, byte[] content, int mode) {
    try {
      createDirectory(file.getParent());
      Files.write(file, content);
      Files.setPosixFilePermissions(file, permissions(mode));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void createDirectory(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // The owner always keeps read and write: the kubelet runs as this user and rewrites or removes the files.
  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    PosixFilePermission[] bits = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE};
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(bits[i]);
      }
    }
    return set;
  }

  static String trimSlash(String path) {
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
