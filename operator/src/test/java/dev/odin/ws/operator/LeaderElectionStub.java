package dev.odin.ws.operator;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** The mock cannot answer JOSDK's lease permission check; answer it with "leases: everything". */
final class LeaderElectionStub {
  private LeaderElectionStub() {}

  static void allowLeases(KubernetesMockServer server) {
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder()
            .withNewMetadata().endMetadata()
            .withNewStatus()
            .addNewResourceRule()
            .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("*")
            .endResourceRule()
            .withIncomplete(false)
            .endStatus()
            .build())
        .always();
  }
}
