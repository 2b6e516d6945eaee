package dev.odin.ws.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * crds/ must hold exactly what the crd-generator makes from the Java types (printer columns in declaration order,
 * {@link CrdFiles#userFacingText}). Regenerate with
 * {@code mvn -pl api -am verify -Dcrd.update=true}.
 */
class CrdDriftTest {
  @Test
  void checkedInCrdIsIdenticalToTheGeneratedOne() throws IOException {
    String generated = CrdFiles.userFacingText();
    Path checkedIn = CrdFiles.checkedIn();
    if (Boolean.getBoolean("crd.update")) {
      Files.createDirectories(checkedIn.getParent());
      Files.writeString(checkedIn, generated);
    }
    assertTrue(Files.exists(checkedIn), checkedIn + " is missing; run with -Dcrd.update=true to write it");
    assertEquals(
        generated,
        Files.readString(checkedIn),
        checkedIn + " differs from the CRD generated from the Java types; run "
            + "`mvn -B -pl api -am verify -Dcrd.update=true` and commit the result");
  }
}
