package dev.odin.ws.testenv;

/**
 * A pod or container the kubelet cannot start yet, with the message a user reads in the container's waiting state
 * (a missing ConfigMap, a volume type that cannot run here). The kubelet retries; the pod stays as it is meanwhile.
 */
final class PodSetupException extends RuntimeException {
  PodSetupException(String message) {
    super(message);
  }
}
