package dev.odin.ws.shard.kafka;

import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.config.TopicRoute;
import dev.odin.ws.shard.fanout.ChannelFrames;
import dev.odin.ws.shard.metrics.ShardMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what resuming clients missed, straight from Kafka, with a consumer outside the live group. One thread serves
 * every request: requests that arrive together are read in one pass over the partitions they name, each partition
 * from the lowest offset asked for. Requests of a channel with the same position share one encoding.
 *
 * <p>A spread position names every partition of its topics; the replay reads each from the position's offset to the
 * partition's end and merges them by Kafka timestamp (within a partition, Kafka's order), each frame carrying a
 * position that says how far each partition has been replayed. A position fails as a whole when any one partition's
 * gap cannot be filled.
 */
public final class ReplayService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplayService.class);
  private static final Duration POLL = Duration.ofMillis(200);

  static final String RECOVERED = "recovered";
  static final String BEYOND_RETENTION = "beyond_retention";
  static final String TOPIC_CHANGED = "topic_changed";
  static final String TOO_FAR_BEHIND = "too_far_behind";
  static final String TOO_OLD = "too_old";
  static final String TIMEOUT = "timeout";
  static final String ERROR = "error";
  /** The record a position was issued with is not a record of the channel: the position is another channel's. */
  static final String FOREIGN_POSITION = "foreign_position";
  /** This shard has seen the channel come from partitions the position does not name. */
  static final String NARROW_POSITION = "narrow_position";

  /** What a resume asks for: the channel's records after {@code since}, in every partition it names. */
  public record Request(String channel, Position since, Consumer<Result> onDone) {}

  /**
   * The outcome. When {@code recovered}, {@code frames} holds every record of the channel in each partition of
   * {@code ends} from the position's offset up to (not including) the partition's end, and the receiver owns its
   * buffer; {@code ends} is shared, read-only.
   */
  public record Result(boolean recovered, String outcome, Map<TopicPartition, Long> ends, ChannelFrames frames) {}

  private final ShardServerConfig config;
  private final TopicIds topicIds;
  private final ChannelFeeds feeds;
  private final ShardMetrics metrics;
  private final Map<String, TopicRoute> routes;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final FrameEncoder encoder = new FrameEncoder();
  private final SpreadPosition.Writer spreadWriter = new SpreadPosition.Writer();
  private final Thread thread = new Thread(this::run, "kafka-replay");
  /** The replay thread's own view of the Kafka client properties file. */
  private final KafkaCredentials credentials;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;

  public ReplayService(ShardServerConfig config, TopicIds topicIds, ChannelFeeds feeds, ShardMetrics metrics) {
    this.config = config;
    this.topicIds = topicIds;
    this.feeds = feeds;
    this.metrics = metrics;
    this.credentials = new KafkaCredentials(config);
    this.routes = config.topics().stream().collect(Collectors.toMap(TopicRoute::topic, Function.identity()));
    for (String outcome : new String[] {RECOVERED, BEYOND_RETENTION, TOPIC_CHANGED, TOO_FAR_BEHIND, TOO_OLD, TIMEOUT,
        ERROR, FOREIGN_POSITION, NARROW_POSITION}) {
      metrics.declare("recovery", outcome);
    }
  }

  public void start() {
    thread.start();
  }

  /**
   * Queues a request; {@code onDone} runs exactly once, on the replay thread or, for a request answered at once, on
   * the caller's. Called after the client is subscribed to the channel: a spread position widens the channel's feed
   * here, so this shard's next positions of the channel name what the client's did.
   */
  public void submit(Request request) {
    if (!running) {
      request.onDone().accept(failed(ERROR));
      return;
    }
    List<String> named = new ArrayList<>();
    for (Position.TopicOffsets topic : request.since().topics()) {
      topicIds.topicOf(topic.topicId()).ifPresent(named::add);
    }
    boolean allKnown = named.size() == request.since().topics().size();
    if (allKnown && feeds.widerThan(request.channel(), request.since(), named)) {
      done(request, failed(NARROW_POSITION));
      return;
    }
    if (allKnown && request.since().wholeTopics()) {
      feeds.spreadOver(request.channel(), named);
    }
    queue.add(request);
  }

  private void run() {
    List<Request> batch = new ArrayList<>();
    try {
      while (running) {
        try (KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(properties(credentials.current()))) {
          consumer = kafka;
          while (running) {
            if (batch.isEmpty()) {
              Request first = queue.poll(1, TimeUnit.SECONDS);
              if (first == null) {
                continue;
              }
              batch.add(first);
              queue.drainTo(batch);
            }
            // The user may have fixed kafka.secretRef since this reader was made: it then reads with the new
            // settings, as the live consumer does, instead of failing every resume until a restart.
            if (credentials.refresh()) {
              log.info("the Kafka client properties changed; the replay reader uses them from now");
              break;
            }
            serve(kafka, batch);
            batch.clear();
          }
        }
      }
    } catch (InterruptedException | WakeupException e) {
      log.debug("replay reader stopping");
    } finally {
      List<Request> left = new ArrayList<>(batch);
      queue.drainTo(left);
      left.forEach(r -> r.onDone().accept(failed(ERROR)));
    }
  }

  private void serve(KafkaConsumer<byte[], byte[]> kafka, List<Request> batch) {
    long started = System.nanoTime();
    Set<Request> answered = Collections.newSetFromMap(new IdentityHashMap<>());
    try {
      serveOrThrow(kafka, batch, answered);
    } catch (KafkaException e) {
      log.warn("replay of {} request(s) failed: {}", batch.size(), e.toString());
      batch.stream().filter(r -> !answered.contains(r)).forEach(r -> done(r, failed(ERROR)));
    }
    metrics.replayDuration(System.nanoTime() - started);
  }

  private void serveOrThrow(KafkaConsumer<byte[], byte[]> kafka, List<Request> batch, Set<Request> answered) {
    Duration timeout = config.replayTimeout();
    List<Plan> plans = new ArrayList<>();
    for (Request request : batch) {
      Plan plan = plan(kafka, request, timeout);
      if (plan == null) {
        answer(answered, request, failed(TOPIC_CHANGED));
      } else {
        plans.add(plan);
      }
    }
    Set<TopicPartition> named = new HashSet<>();
    plans.forEach(plan -> plan.sources.forEach(s -> named.add(s.partition)));
    if (named.isEmpty()) {
      return;
    }
    Limits limits = new Limits(kafka.beginningOffsets(named, timeout), kafka.endOffsets(named, timeout),
        kafka.offsetsForTimes(named.stream().collect(Collectors.toMap(p -> p,
            p -> System.currentTimeMillis() - config.replayMaxAge().toMillis())), timeout));
    Map<String, Group> groups = new LinkedHashMap<>();
    for (Plan plan : plans) {
      String refused = limits.refusal(plan, config.replayMaxRecords());
      if (refused != null) {
        answer(answered, plan.request, failed(refused));
      } else {
        groups.computeIfAbsent(plan.key(), k -> new Group(plan)).requests.add(plan.request);
      }
    }
    boolean complete = read(kafka, groups.values(), limits, timeout);
    for (Group group : groups.values()) {
      finish(group, complete, limits, answered);
    }
  }

  /** The partitions a request reads, or null when a topic it names is not (any more) this topic. */
  private Plan plan(KafkaConsumer<byte[], byte[]> kafka, Request request, Duration timeout) {
    Position since = request.since();
    List<Position.TopicOffsets> named = since.topics();
    String[] topics = new String[named.size()];
    Uuid[] ids = new Uuid[named.size()];
    int[] partitionCounts = new int[named.size()];
    List<Source> sources = new ArrayList<>();
    for (int t = 0; t < named.size(); t++) {
      Position.TopicOffsets listed = named.get(t);
      String topic = topicIds.topicOf(listed.topicId()).orElse(null);
      if (topic == null) {
        return null;
      }
      topics[t] = topic;
      ids[t] = listed.topicId();
      if (!since.wholeTopics()) {
        sources.add(new Source(new TopicPartition(topic, listed.firstPartition()), t, listed.next()[0]));
        continue;
      }
      int count = kafka.partitionsFor(topic, timeout).size();
      if (listed.partitions() > count) {
        return null; // a topic never loses partitions; one re-created with fewer has another id
      }
      partitionCounts[t] = count;
      for (int p = 0; p < count; p++) {
        // A partition beyond those listed was added after the position was issued: all of it is missed.
        sources.add(new Source(new TopicPartition(topic, p), t, p < listed.partitions() ? listed.next()[p] : 0));
      }
    }
    TopicPartition own = new TopicPartition(topics[since.ownTopic()], since.ownPartition());
    return new Plan(request, sources, own, since.ownOffset(), ids, partitionCounts);
  }

  /**
   * Reads every partition the groups need up to its end, handing each record to the groups of its channel, in
   * partition order. False when the replay timeout ended it first.
   */
  private boolean read(KafkaConsumer<byte[], byte[]> kafka, Iterable<Group> groups, Limits limits, Duration timeout) {
    Map<TopicPartition, Long> readFrom = new HashMap<>();
    Map<String, List<Group>> byChannel = new HashMap<>();
    Map<TopicPartition, Map<Long, List<Group>>> ownChecks = new HashMap<>();
    for (Group group : groups) {
      byChannel.computeIfAbsent(group.channel(), c -> new ArrayList<>()).add(group);
      for (Source source : group.plan.sources) {
        if (source.from < limits.end(source.partition)) {
          readFrom.merge(source.partition, source.from, Math::min);
        }
      }
      // The record the position was issued with is read too, to check it is the channel's; one already deleted
      // by retention cannot be checked, and then only the partitions' own checks apply.
      Plan plan = group.plan;
      if (plan.ownOffset >= limits.start(plan.own) && plan.ownOffset < limits.end(plan.own)) {
        readFrom.merge(plan.own, plan.ownOffset, Math::min);
        ownChecks.computeIfAbsent(plan.own, p -> new HashMap<>())
            .computeIfAbsent(plan.ownOffset, o -> new ArrayList<>()).add(group);
      }
    }
    if (readFrom.isEmpty()) {
      return true;
    }
    kafka.assign(readFrom.keySet());
    kafka.resume(readFrom.keySet());
    readFrom.forEach(kafka::seek);
    Set<TopicPartition> reading = new HashSet<>(readFrom.keySet());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!reading.isEmpty() && System.nanoTime() < deadline) {
      ConsumerRecords<byte[], byte[]> records = kafka.poll(POLL);
      for (TopicPartition partition : records.partitions()) {
        long end = limits.end(partition);
        TopicRoute route = routes.get(partition.topic());
        Map<Long, List<Group>> checks = ownChecks.get(partition);
        for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
          if (record.offset() >= end) {
            break;
          }
          String channel = route.channelOf(record.key(), record.headers());
          List<Group> owners = checks == null ? null : checks.get(record.offset());
          if (owners != null) {
            owners.forEach(g -> g.ownIsTheChannels = g.channel().equals(channel));
          }
          List<Group> wanting = channel == null ? null : byChannel.get(channel);
          if (wanting != null) {
            wanting.forEach(g -> g.offer(partition, record));
          }
        }
      }
      for (var it = reading.iterator(); it.hasNext(); ) {
        TopicPartition partition = it.next();
        if (kafka.position(partition, timeout) >= limits.end(partition)) {
          it.remove();
          kafka.pause(List.of(partition));
        }
      }
    }
    return reading.isEmpty();
  }

  private void finish(Group group, boolean complete, Limits limits, Set<Request> answered) {
    if (!complete || !group.ownIsTheChannels) {
      String outcome = complete ? FOREIGN_POSITION : TIMEOUT;
      group.requests.forEach(r -> answer(answered, r, failed(outcome)));
      return;
    }
    ChannelFrames frames = group.plan.spread() ? mergeSpread(group, limits) : encodePartition(group);
    Map<TopicPartition, Long> ends = new HashMap<>();
    group.plan.sources.forEach(s -> ends.put(s.partition, limits.end(s.partition)));
    Map<TopicPartition, Long> shared = Collections.unmodifiableMap(ends);
    // Every duplicate is taken before any is handed over: a receiver may release its own at once.
    List<ChannelFrames> copies = new ArrayList<>();
    copies.add(frames);
    for (int i = 1; i < group.requests.size(); i++) {
      copies.add(frames.retainedDuplicate());
    }
    for (int i = 0; i < group.requests.size(); i++) {
      metrics.replayed(frames.records());
      answer(answered, group.requests.get(i), new Result(true, RECOVERED, shared, copies.get(i)));
    }
  }

  private ChannelFrames encodePartition(Group group) {
    ChannelFrames.Builder out = new ChannelFrames.Builder(group.channel());
    Source source = group.plan.sources.get(0);
    Uuid id = group.plan.ids[0];
    for (ConsumerRecord<byte[], byte[]> record : group.records.get(0)) {
      String at = PartitionPosition.encode(id, source.partition.partition(), record.offset());
      encoder.appendFrame(out.frames(), group.channel(), at, record.timestamp(), record.value());
      out.added(source.partition, record.offset(), record.timestamp());
    }
    return out.build();
  }

  /**
   * The group's records of all partitions, merged by Kafka timestamp (each partition in its own order), each with a
   * spread position: a partition stands at its next record not yet replayed, or at its end once replayed.
   */
  private ChannelFrames mergeSpread(Group group, Limits limits) {
    Plan plan = group.plan;
    long[][] next = new long[plan.ids.length][];
    for (int t = 0; t < next.length; t++) {
      next[t] = new long[plan.partitionCounts[t]];
    }
    List<Source> sources = plan.sources;
    int[] cursor = new int[sources.size()];
    PriorityQueue<Integer> heads = new PriorityQueue<>((a, b) -> {
      int byTime = Long.compare(group.records.get(a).get(cursor[a]).timestamp(),
          group.records.get(b).get(cursor[b]).timestamp());
      return byTime != 0 ? byTime : Integer.compare(a, b);
    });
    for (int s = 0; s < sources.size(); s++) {
      Source source = sources.get(s);
      boolean none = group.records.get(s).isEmpty();
      next[source.topic][source.partition.partition()] = none ? limits.end(source.partition) : source.from;
      if (!none) {
        heads.add(s);
      }
    }
    byte[] name = group.channel().getBytes(StandardCharsets.UTF_8);
    ChannelFrames.Builder out = new ChannelFrames.Builder(group.channel());
    while (!heads.isEmpty()) {
      int s = heads.poll();
      Source source = sources.get(s);
      ConsumerRecord<byte[], byte[]> record = group.records.get(s).get(cursor[s]++);
      int partition = source.partition.partition();
      next[source.topic][partition] = record.offset() + 1;
      String at = spreadWriter.write(name, plan.ids, next, source.topic, partition);
      encoder.appendFrame(out.frames(), group.channel(), at, record.timestamp(), record.value());
      out.added(source.partition, record.offset(), record.timestamp());
      if (cursor[s] < group.records.get(s).size()) {
        heads.add(s);
      } else {
        next[source.topic][partition] = limits.end(source.partition);
      }
    }
    return out.build();
  }

  private void answer(Set<Request> answered, Request request, Result result) {
    if (answered.add(request)) {
      done(request, result);
    }
  }

  private void done(Request request, Result result) {
    metrics.recoveryRequest(result.outcome());
    request.onDone().accept(result);
  }

  private static Result failed(String outcome) {
    return new Result(false, outcome, Map.of(), null);
  }

  private Properties properties(Map<String, String> userProperties) {
    Properties props = KafkaClients.consumer(config, "replay", userProperties);
    // No group: a replay must never join, commit to or rebalance the shard's live group.
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    return props;
  }

  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> kafka = consumer;
    if (kafka != null) {
      kafka.wakeup();
    }
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One partition a request reads: from {@code from} (the first offset the client has not seen) to its end. */
  private record Source(TopicPartition partition, int topic, long from) {}

  /**
   * A request's partitions, and the record its position was issued with. {@code ids} and {@code partitionCounts}
   * lay out the positions of the replayed frames of a spread position: its topics, each with all its partitions now.
   */
  private record Plan(Request request, List<Source> sources, TopicPartition own, long ownOffset, Uuid[] ids,
      int[] partitionCounts) {
    boolean spread() {
      return request.since().wholeTopics();
    }

    /** Requests of one channel with the same key read and encode the same records. */
    String key() {
      StringBuilder key = new StringBuilder(request.channel()).append('\n').append(own).append(':').append(ownOffset);
      sources.forEach(s -> key.append('\n').append(s.partition).append(':').append(s.from));
      return key.toString();
    }
  }

  /** The partitions' log starts and ends, and the first offset young enough for the age bound, when the pass began. */
  private record Limits(Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends,
      Map<TopicPartition, OffsetAndTimestamp> youngest) {
    long start(TopicPartition partition) {
      return starts.getOrDefault(partition, Long.MAX_VALUE);
    }

    long end(TopicPartition partition) {
      return ends.getOrDefault(partition, -1L);
    }

    /** Why the plan's gap cannot be filled, or null when it can. */
    String refusal(Plan plan, long maxRecords) {
      long behind = 0;
      for (Source source : plan.sources) {
        if (!starts.containsKey(source.partition) || !ends.containsKey(source.partition)) {
          return TOPIC_CHANGED;
        }
        long end = end(source.partition);
        if (source.from < start(source.partition)) {
          return BEYOND_RETENTION;
        }
        if (source.from > end) {
          return TOPIC_CHANGED;
        }
        OffsetAndTimestamp young = youngest.get(source.partition);
        if (source.from < (young == null ? end : young.offset())) {
          return TOO_OLD;
        }
        behind += end - source.from;
      }
      return behind > maxRecords ? TOO_FAR_BEHIND : null;
    }
  }

  /** Requests that share a plan, and the records of the channel read for them, per source. */
  private static final class Group {
    final Plan plan;
    final List<Request> requests = new ArrayList<>();
    final List<List<ConsumerRecord<byte[], byte[]>>> records = new ArrayList<>();
    final Map<TopicPartition, Integer> sourceOf = new HashMap<>();
    /** False once the record the position was issued with turned out to be another channel's. */
    boolean ownIsTheChannels = true;

    Group(Plan plan) {
      this.plan = plan;
      for (int s = 0; s < plan.sources.size(); s++) {
        records.add(new ArrayList<>());
        sourceOf.put(plan.sources.get(s).partition, s);
      }
    }

    String channel() {
      return plan.request.channel();
    }

    void offer(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
      Integer s = sourceOf.get(partition);
      if (s != null && record.offset() >= plan.sources.get(s).from) {
        records.get(s).add(record);
      }
    }
  }
}
