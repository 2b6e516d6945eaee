package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;

/**
 * A drain in progress, kept in the status rather than in an operator's memory: an operator that restarts or takes
 * over the lease continues the same drain, with the same window, and never removes a shard early.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DrainStatus {
  /** Why shards are draining. */
  public enum Reason {
    /** spec.shards went down: the highest shards close their clients with 1012 and are removed. */
    ScaleDown,
    /** The WsCluster is being deleted: every shard closes its clients with 1001. */
    Delete
  }

  @JsonPropertyDescription("`ScaleDown` (clients get 1012 and reconnect to the other shards) or `Delete` (clients get "
      + "1001: the cluster is going away).")
  private Reason reason;

  @JsonPropertyDescription("Shard count when the drain began.")
  private Integer fromShards;

  @JsonPropertyDescription("Shard count when the drain is done.")
  private Integer toShards;

  @JsonPropertyDescription("When the drain began (RFC 3339).")
  private String since;

  @JsonPropertyDescription("When each draining shard was asked to drain; its window ends drain.seconds later.")
  private List<ShardDrain> shards = new ArrayList<>();

  @JsonPropertyDescription("True once every draining shard is empty or past its window: the shards may go.")
  private Boolean drained;

  public DrainStatus() {}

  public DrainStatus(Reason reason, int fromShards, int toShards, String since) {
    this.reason = reason;
    this.fromShards = fromShards;
    this.toShards = toShards;
    this.since = since;
    this.drained = false;
  }

  /** One shard's drain. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ShardDrain {
    @JsonPropertyDescription("Shard index.")
    private Integer index;

    @JsonPropertyDescription("When the shard was asked to drain (RFC 3339).")
    private String since;

    public ShardDrain() {}

    public ShardDrain(int index, String since) {
      this.index = index;
      this.since = since;
    }

    public Integer getIndex() {
      return index;
    }

    public void setIndex(Integer index) {
      this.index = index;
    }

    public String getSince() {
      return since;
    }

    public void setSince(String since) {
      this.since = since;
    }
  }

  public Reason getReason() {
    return reason;
  }

  public void setReason(Reason reason) {
    this.reason = reason;
  }

  public Integer getFromShards() {
    return fromShards;
  }

  public void setFromShards(Integer fromShards) {
    this.fromShards = fromShards;
  }

  public Integer getToShards() {
    return toShards;
  }

  public void setToShards(Integer toShards) {
    this.toShards = toShards;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public List<ShardDrain> getShards() {
    return shards;
  }

  public void setShards(List<ShardDrain> shards) {
    this.shards = shards;
  }

  public Boolean getDrained() {
    return drained;
  }

  public void setDrained(Boolean drained) {
    this.drained = drained;
  }
}
