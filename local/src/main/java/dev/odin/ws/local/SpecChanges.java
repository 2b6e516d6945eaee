package dev.odin.ws.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.odin.ws.api.WsCluster;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Which parts of an edited WsCluster local mode cannot apply to running processes: everything but
 * {@code spec.shards}. A shard reads its configuration once at start, so those changes need a restart of the
 * runner, which says so instead of restarting shards behind the user's back.
 */
final class SpecChanges {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SpecChanges() {}

  /** The changed fields other than {@code spec.shards}, e.g. {@code [spec.drain, metadata.name]}. */
  static List<String> needingRestart(WsCluster running, WsCluster edited) {
    List<String> out = new ArrayList<>();
    if (!Objects.equals(running.getMetadata().getName(), edited.getMetadata().getName())) {
      out.add("metadata.name");
    }
    ObjectNode before = withoutShards(running);
    ObjectNode after = withoutShards(edited);
    TreeSet<String> fields = new TreeSet<>();
    before.fieldNames().forEachRemaining(fields::add);
    after.fieldNames().forEachRemaining(fields::add);
    for (String field : fields) {
      if (!Objects.equals(before.get(field), after.get(field))) {
        out.add("spec." + field);
      }
    }
    return out;
  }

  private static ObjectNode withoutShards(WsCluster cr) {
    JsonNode spec = JSON.valueToTree(cr.getSpec());
    ObjectNode copy = spec instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
    copy.remove("shards");
    return copy;
  }
}
