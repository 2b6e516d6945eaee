package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.time.Instant;

/** The last rebalance after a scale-up ({@link Rebalancer}), kept in the status so a new leader continues it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RebalanceStatus {
  @JsonPropertyDescription("`Waiting` (for the new shards to be Ready, or for a drain or scaling to end), `Shedding` "
      + "(rounds in progress), `Balanced` (every shard within 10% of the mean) or `GaveUp` (after "
      + Rebalancer.MAX_ROUNDS + " rounds).")
  private Rebalancer.Phase phase;

  @JsonPropertyDescription("When the scale-up that began this rebalance was seen (RFC 3339).")
  private String since;

  @JsonPropertyDescription("Rounds of shedding so far.")
  private Integer rounds;

  @JsonPropertyDescription("Clients asked to move (closed with 1012, to resume on the emptiest shards) so far.")
  private Long connectionsShed;

  @JsonPropertyDescription("When the last round's sheds were asked for (RFC 3339).")
  private String lastRoundTime;

  @JsonPropertyDescription("The largest distance of a shard's connections from the mean, in percent of the mean.")
  private Integer imbalancePercent;

  @JsonPropertyDescription("What the rebalance is doing or waiting for.")
  private String message;

  /** The status form of {@code p}. */
  public static RebalanceStatus of(Rebalancer.Progress p) {
    RebalanceStatus s = new RebalanceStatus();
    s.phase = p.phase();
    s.since = p.since().toString();
    s.rounds = p.rounds();
    s.connectionsShed = p.shed();
    s.lastRoundTime = p.lastRound() == null ? null : p.lastRound().toString();
    s.imbalancePercent = p.imbalancePercent();
    s.message = p.message();
    return s;
  }

  /** The progress this status records. */
  @JsonIgnore
  public Rebalancer.Progress progress() {
    return new Rebalancer.Progress(phase, Instant.parse(since), rounds == null ? 0 : rounds,
        connectionsShed == null ? 0 : connectionsShed, lastRoundTime == null ? null : Instant.parse(lastRoundTime),
        imbalancePercent == null ? 0 : imbalancePercent, message);
  }

  public Rebalancer.Phase getPhase() {
    return phase;
  }

  public void setPhase(Rebalancer.Phase phase) {
    this.phase = phase;
  }

  public String getSince() {
    return since;
  }

  public void setSince(String since) {
    this.since = since;
  }

  public Integer getRounds() {
    return rounds;
  }

  public void setRounds(Integer rounds) {
    this.rounds = rounds;
  }

  public Long getConnectionsShed() {
    return connectionsShed;
  }

  public void setConnectionsShed(Long connectionsShed) {
    this.connectionsShed = connectionsShed;
  }

  public String getLastRoundTime() {
    return lastRoundTime;
  }

  public void setLastRoundTime(String lastRoundTime) {
    this.lastRoundTime = lastRoundTime;
  }

  public Integer getImbalancePercent() {
    return imbalancePercent;
  }

  public void setImbalancePercent(Integer imbalancePercent) {
    this.imbalancePercent = imbalancePercent;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }
}
