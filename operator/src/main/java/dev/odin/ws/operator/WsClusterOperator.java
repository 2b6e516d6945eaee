package dev.odin.ws.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.dependent.DependentResourceSpec;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResourceFactory;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.Consumer;

/** Wires the operator from its configuration: the same assembly for main and for the integration test. */
public final class WsClusterOperator implements AutoCloseable {
  /** Well inside the 30 s a pod gets between SIGTERM and SIGKILL. */
  static final Duration RECONCILE_TERMINATION_TIMEOUT = Duration.ofSeconds(10);
  private final Operator operator;
  private final ShardStatsReader shards;
  private final ConsumerGroupCleaner groups;

  /**
   * @param leaderElection overrides for the lease (tests pass exitOnStopLeading=false); null: the default lease
   */
  public WsClusterOperator(OperatorConfig config, KubernetesClient client, MeterRegistry registry,
      ShardUriResolver resolver, LeaderElectionConfiguration leaderElection) {
    OperatorRuntime runtime = new OperatorRuntime(config);
    this.shards = new ShardStatsReader(new ManagementTokens(client));
    this.groups = new ConsumerGroupCleaner(client);
    EventRecorder events = new EventRecorder(client);
    StatusApplier status = new StatusApplier(client);
    ScaleDownCoordinator scaleDowns = new ScaleDownCoordinator(shards, groups, events, status);
    Consumer<io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider> overrides = o -> {
      o.withKubernetesClient(client)
          .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
          // JOSDK leaves ConfigMaps (and Secrets) out of server-side apply by default, for Secrets' write-only
          // stringData; the one Secret this operator writes (the management token) sets data, and one write path
          // for every child keeps field ownership uniform (the real-API-server tests show repeated reconciles leave
          // the ConfigMaps untouched).
          .withDefaultNonSSAResource(java.util.Set.of())
          .withDependentResourceFactory(new RuntimeInjectingFactory(runtime))
          .withCloseClientOnStop(false)
          // JOSDK's default (zero) interrupts a reconcile in flight and returns: its status write may still land
          // after stop(), over what a successor (or the drain it recorded) wrote since. A reconcile takes well under
          // a second; waiting for it keeps a stopping operator from writing after it has stopped.
          .withReconciliationTerminationTimeout(RECONCILE_TERMINATION_TIMEOUT);
      if (config.leaderElection()) {
        o.withLeaderElectionConfiguration(leaderElection != null ? leaderElection
            : new LeaderElectionConfiguration(config.leaseName(), config.leaseNamespace()));
      }
    };
    this.operator = new Operator(overrides);
    WsClusterReconciler reconciler = new WsClusterReconciler(config, resolver, shards, scaleDowns,
        new ClusterRetirement(client, scaleDowns, groups, events, status), new AutoscalingStep(client, events, status),
        new RebalanceStep(shards, events, status), new ClusterGauges(registry), status);
    operator.register(reconciler, c -> {
      if (!config.watchNamespaces().isEmpty()) {
        c.settingNamespaces(config.watchNamespaces());
      }
    });
  }

  public void start() {
    operator.start();
  }

  @Override
  public void close() {
    operator.stop();
    shards.close();
    groups.close();
  }

  /** JOSDK's default factory, plus handing the runtime to dependents that implement {@link OperatorRuntime.Aware}. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class RuntimeInjectingFactory implements DependentResourceFactory {
    private final OperatorRuntime runtime;

    RuntimeInjectingFactory(OperatorRuntime runtime) {
      this.runtime = runtime;
    }

    @Override
    public DependentResource createFrom(DependentResourceSpec spec, ControllerConfiguration configuration) {
      DependentResource d = DependentResourceFactory.DEFAULT.createFrom(spec, configuration);
      if (d instanceof OperatorRuntime.Aware aware) {
        aware.init(runtime);
      }
      return d;
    }
  }
}
