package dev.odin.ws.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Which shards go on a scale-down: the highest indices first, because a StatefulSet removes its highest ordinals
 * and local mode mirrors it.
 */
public final class ScaleDownPlan {
  private ScaleDownPlan() {}

  /** Shard indices to drain, highest first; empty when {@code desired >= current}. */
  public static List<Integer> shardsToDrain(int current, int desired) {
    List<Integer> out = new ArrayList<>();
    for (int i = current - 1; i >= Math.max(0, desired); i--) {
      out.add(i);
    }
    return out;
  }
}
