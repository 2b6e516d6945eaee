package dev.odin.ws.shard.kafka;

import dev.odin.ws.shard.config.ShardServerConfig;
import dev.odin.ws.shard.config.TopicRoute;
import dev.odin.ws.shard.fanout.FanOut;
import dev.odin.ws.shard.metrics.ShardMetrics;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shard's only Kafka consumer, on a thread of its own (KafkaConsumer is not thread-safe). It
 * reads every record of the fan-out topics in the shard's own group, encodes each wanted record
 * once, and hands the batch to the event loops.
 */
public final class BroadcastConsumer implements ConsumerStatus, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BroadcastConsumer.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  /**
   * How long closing the consumer and the admin client may wait for the broker (the offset commit, leaving the
   * group). Kafka's own default is 30 s: with the broker gone, a stopping shard would outlive its pod's grace
   * period (drain + 15 s) waiting for it. The committed offsets matter little here: a shard starts at the end.
   */
  static final Duration KAFKA_CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final long LAG_CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final Duration LAG_CHECK_TIMEOUT = Duration.ofSeconds(2);
  /** For a partition nothing was read from yet; the position is known locally once the consumer has polled. */
  private static final Duration POSITION_TIMEOUT = Duration.ofSeconds(1);
  /** How long refused credentials wait for the properties file to change before they are tried again. */
  static final Duration CREDENTIALS_RETRY = Duration.ofSeconds(30);

  private final ShardServerConfig config;
  private final FanOut fanOut;
  private final ShardMetrics metrics;
  private final Map<String, TopicRoute> routes;
  private final TopicIds topicIds;
  private final ChannelFeeds feeds;
  private final ConsumerProgress progress = new ConsumerProgress();
  private final BatchEncoder batchEncoder;
  /** The Kafka client properties the running consumer was made with; topic ids are looked up with the same. */
  private Map<String, String> clientProperties = Map.of();
  private final Thread thread;
  private volatile boolean running = true;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile int assignedPartitions;
  private volatile long lag = -1;
  private volatile boolean brokerReachable;
  private volatile String authenticationFailure;
  private final KafkaCredentials credentials;
  private long nextLagCheck;

  public BroadcastConsumer(ShardServerConfig config, FanOut fanOut, TopicIds topicIds, ChannelFeeds feeds,
      ShardMetrics metrics) {
    this.config = config;
    this.topicIds = topicIds;
    this.feeds = feeds;
    this.fanOut = fanOut;
    this.metrics = metrics;
    this.credentials = new KafkaCredentials(config);
    this.routes = config.topics().stream().collect(Collectors.toMap(TopicRoute::topic, Function.identity()));
    this.batchEncoder = new BatchEncoder(routes, topicIds, fanOut, feeds, progress, metrics);
    this.thread = new Thread(this::run, "kafka-consumer");
    routes.keySet().forEach(topic -> metrics.declare("consumed", topic));
  }

  public void start() {
    thread.start();
  }

  @Override
  public int assignedPartitions() {
    return assignedPartitions;
  }

  @Override
  public long lag() {
    return lag;
  }

  @Override
  public boolean brokerReachable() {
    return brokerReachable;
  }

  /** Why the broker refused this shard's credentials, until it accepts them; null otherwise. */
  @Override
  public String authenticationFailure() {
    return authenticationFailure;
  }

  /**
   * Consumes until stopped. When the broker refuses the credentials, the clients are closed, the shard reports
   * not-ready with the broker's reason, and consumes again as soon as the properties file changes (or after
   * {@link #CREDENTIALS_RETRY}, in case the broker's side was fixed instead).
   */
  private void run() {
    while (running && consumeWith(credentials.current())) {
      long retryAt = System.nanoTime() + CREDENTIALS_RETRY.toNanos();
      while (running && System.nanoTime() < retryAt && !credentials.refresh()) {
        pause(Duration.ofSeconds(1));
      }
      if (running) {
        log.info("trying the Kafka credentials again");
      }
    }
  }

  /** True when the broker refused the credentials; false when the shard stops. */
  private boolean consumeWith(Map<String, String> userProperties) {
    KafkaConsumer<byte[], byte[]> kafka = null;
    clientProperties = userProperties;
    try {
      kafka = new KafkaConsumer<>(consumerProperties(userProperties));
      consumer = kafka;
      if (!resolveTopicIds()) {
        return false;
      }
      authenticationFailure = null;
      kafka.subscribe(routes.keySet(), new AssignmentListener());
      while (running) {
        try {
          ConsumerRecords<byte[], byte[]> records = kafka.poll(POLL_TIMEOUT);
          if (!records.isEmpty()) {
            brokerReachable = true;
            deliver(kafka, records);
          }
          checkLag(kafka);
        } catch (WakeupException e) {
          // close() asked us to stop; the loop condition ends it.
        } catch (AuthenticationException e) {
          throw new CredentialsRefused(e);
        } catch (KafkaException e) {
          // A broker outage or a transient client error must not end the shard: report and go on.
          brokerReachable = false;
          log.warn("Kafka consumer error, retrying: {}", e.toString());
          pause(Duration.ofSeconds(1));
        }
      }
    } catch (CredentialsRefused e) {
      brokerReachable = false;
      assignedPartitions = 0;
      authenticationFailure = e.getMessage();
      log.warn("Kafka refused this shard's credentials ({}); not ready until the Kafka client properties ({}) "
          + "change", e.getMessage(), config.kafkaPropertiesFile().isEmpty() ? "none set" : config.kafkaPropertiesFile());
      return true;
    } catch (WakeupException e) {
      log.debug("consumer woken up during shutdown");
    } catch (RuntimeException e) {
      log.error("Kafka consumer stopped unexpectedly", e);
    } finally {
      assignedPartitions = 0;
      if (kafka != null) {
        kafka.close(CloseOptions.timeout(KAFKA_CLOSE_TIMEOUT)); // its rebalance listener still reads `consumer`
        consumer = null;
      }
    }
    return false;
  }

  /**
   * Waits (bounded only by shutdown) until every fan-out topic exists and its id is known. The admin client lives
   * only while it is needed: kept open, its thread, connection and metrics stay in every shard for nothing.
   */
  private boolean resolveTopicIds() {
    Admin admin = topicAdmin();
    try {
      while (running) {
        try {
          describeTopics(admin);
          brokerReachable = true;
          return true;
        } catch (Exception e) {
          if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return false;
          }
          brokerReachable = false;
          if (rootCause(e) instanceof AuthenticationException refused) {
            throw new CredentialsRefused(refused);
          }
          log.warn("waiting for the fan-out topics {} to be reachable: {}", routes.keySet(), rootMessage(e));
          pause(Duration.ofSeconds(2));
        }
      }
      return false;
    } finally {
      admin.close(KAFKA_CLOSE_TIMEOUT);
    }
  }

  /** A topic deleted and re-created under the same name gets a new id; positions must carry it. */
  private void refreshTopicIds() {
    Admin admin = topicAdmin();
    try {
      describeTopics(admin);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      log.warn("could not refresh the fan-out topic ids: {}", rootMessage(e));
    } finally {
      admin.close(KAFKA_CLOSE_TIMEOUT);
    }
  }

  /** Closed with {@link #KAFKA_CLOSE_TIMEOUT}: a plain close waits for a request to a broker that is gone. */
  private Admin topicAdmin() {
    return Admin.create(KafkaClients.admin(config, clientProperties));
  }

  private void describeTopics(Admin admin) throws Exception {
    Map<String, TopicDescription> topics =
        admin.describeTopics(routes.keySet()).allTopicNames().get(10, TimeUnit.SECONDS);
    topics.forEach((name, description) -> topicIds.put(name, description.topicId()));
  }

  private void deliver(KafkaConsumer<byte[], byte[]> kafka, ConsumerRecords<byte[], byte[]> records) {
    fanOut.deliver(batchEncoder.encode(records, partition -> kafka.position(partition, POSITION_TIMEOUT)));
  }

  private void checkLag(KafkaConsumer<byte[], byte[]> kafka) {
    long now = System.nanoTime();
    if (now - nextLagCheck < 0) {
      return;
    }
    nextLagCheck = now + LAG_CHECK_INTERVAL_NANOS;
    feeds.forgetUnless(fanOut::hasSubscribers);
    Collection<TopicPartition> assignment = kafka.assignment();
    if (assignment.isEmpty()) {
      return;
    }
    try {
      Map<TopicPartition, Long> ends = kafka.endOffsets(assignment, LAG_CHECK_TIMEOUT);
      long total = 0;
      for (TopicPartition partition : assignment) {
        long position = kafka.position(partition, LAG_CHECK_TIMEOUT);
        total += Math.max(0, ends.getOrDefault(partition, position) - position);
      }
      lag = total;
      brokerReachable = true;
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      brokerReachable = false;
    }
  }

  private Properties consumerProperties(Map<String, String> userProperties) {
    Properties props = KafkaClients.consumer(config, "live", userProperties);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
    // A new group starts at the end: a shard delivers what happens from now on, not history.
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
    props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
    return props;
  }

  private void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private static String rootMessage(Throwable e) {
    return rootCause(e).toString();
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && !(root instanceof AuthenticationException)) {
      root = root.getCause();
    }
    return root;
  }

  /** The broker refused the credentials: the clients are rebuilt once they change. */
  private static final class CredentialsRefused extends RuntimeException {
    CredentialsRefused(AuthenticationException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** Stops the consumer thread and waits for it; the consumer commits its offsets on close. */
  @Override
  public void close() {
    running = false;
    KafkaConsumer<byte[], byte[]> kafka = consumer;
    if (kafka != null) {
      kafka.wakeup();
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      if (thread.isAlive()) {
        // Still waiting for the event loops to write what they hold (FanOut's backpressure): they are gone.
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class AssignmentListener implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      assignedPartitions = consumer.assignment().size() - partitions.size();
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      progress.assigned(partitions);
      assignedPartitions = consumer.assignment().size();
      lag = -1;
      refreshTopicIds();
      nextLagCheck = System.nanoTime();
      log.info("assigned {} partition(s) of {} in group {}", assignedPartitions, routes.keySet(), config.consumerGroup());
    }
  }
}
