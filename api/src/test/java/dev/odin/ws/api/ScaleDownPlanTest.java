package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleDownPlanTest {
  @Test
  void drainsTheHighestIndicesFirst() {
    assertEquals(List.of(4, 3, 2), ScaleDownPlan.shardsToDrain(5, 2));
  }

  @Test
  void drainsNothingOnScaleUpOrNoChange() {
    assertEquals(List.of(), ScaleDownPlan.shardsToDrain(3, 5));
    assertEquals(List.of(), ScaleDownPlan.shardsToDrain(3, 3));
  }

  @Test
  void scaleToZeroDrainsEveryShard() {
    assertEquals(List.of(1, 0), ScaleDownPlan.shardsToDrain(2, 0));
  }
}
