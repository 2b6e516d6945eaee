package dev.odin.ws.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import org.junit.jupiter.api.Test;

class ScaleDownTrackerTest {
  private static final ResourceID ID = new ResourceID("c", "ns");

  @Test
  void scaleUpAndCreationTakeTheDesiredCountAtOnce() {
    ScaleDownTracker t = new ScaleDownTracker();
    assertEquals(3, t.replicasNow(ID, 3, null));
    assertEquals(5, t.replicasNow(ID, 5, 3));
  }

  @Test
  void scaleDownKeepsTheOldCountUntilTheDrainIsDone() {
    ScaleDownTracker t = new ScaleDownTracker();
    assertEquals(5, t.replicasNow(ID, 2, 5));
    ScaleDownTracker.ScaleDown s = t.begin(ID, 5, 2);
    assertEquals(5, t.replicasNow(ID, 2, 5));
    s.drained = true;
    assertEquals(2, t.replicasNow(ID, 2, 5));
  }

  @Test
  void aStartedScaleDownIsFinishedEvenWhenSpecShardsGoesBackUp() {
    ScaleDownTracker t = new ScaleDownTracker();
    ScaleDownTracker.ScaleDown s = t.begin(ID, 5, 2);
    assertEquals(5, t.replicasNow(ID, 5, 5));
    assertEquals(s, t.begin(ID, 5, 4), "a second target does not replace the drain in progress");
    s.drained = true;
    assertEquals(2, t.replicasNow(ID, 5, 5));
    t.finish(ID);
    assertEquals(5, t.replicasNow(ID, 5, 2));
  }
}
