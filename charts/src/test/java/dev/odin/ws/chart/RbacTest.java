package dev.odin.ws.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The operator's permissions: exactly the table in docs/operator.md, nothing wider. */
class RbacTest {

  static final String LEASES = "coordination.k8s.io/leases:";
  /** Cluster-scoped; every authenticated user already has it through the default system:basic-user ClusterRole. */
  static final String SELF_SUBJECT_RULES_REVIEWS = "authorization.k8s.io/selfsubjectrulesreviews:create";

  @Test
  void noRuleUsesWildcardsOrResourceNames() {
    for (String[] args : List.of(new String[0], new String[] {"--set", "watchNamespaces={team-a,team-b}"})) {
      Manifests rendered = Helm.template(args);
      Stream.concat(
              rendered.all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream()),
              rendered.all(Role.class).stream().flatMap(r -> r.getRules().stream()))
          .forEach(rule -> {
            Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())
                .flatMap(List::stream)
                .forEach(value -> assertFalse(value.contains("*"), "wildcard in " + rule));
            assertTrue(rule.getNonResourceURLs().isEmpty(), "non-resource URLs in " + rule);
          });
    }
  }

  @Test
  void watchingAllNamespacesGrantsExactlyTheDocumentedPermissions() throws IOException {
    Manifests rendered = Helm.template();
    ClusterRole clusterRole = rendered.one(ClusterRole.class);
    Role leaderElection = rendered.one(Role.class);

    Set<String> granted = permissions(clusterRole.getRules());
    granted.addAll(permissions(leaderElection.getRules()));
    assertEquals(documentedPermissions(), granted);

    assertEquals(Helm.NAMESPACE, leaderElection.getMetadata().getNamespace());
    assertTrue(permissions(leaderElection.getRules()).stream().allMatch(p -> p.startsWith(LEASES)),
        "the Lease grant is limited to the operator's own namespace");
    assertTrue(permissions(clusterRole.getRules()).stream().noneMatch(p -> p.startsWith(LEASES)));
  }

  @Test
  void watchNamespacesRendersARolePerNamespaceInsteadOfAClusterRole() throws IOException {
    Manifests rendered = Helm.template("--set", "watchNamespaces={team-a,team-b}");
    assertEquals(List.of(), rendered.all(ClusterRole.class));
    assertEquals(List.of(), rendered.all(ClusterRoleBinding.class));

    Map<String, Role> roles = rendered.all(Role.class).stream()
        .collect(Collectors.toMap(r -> r.getMetadata().getNamespace(), r -> r));
    assertEquals(Set.of("team-a", "team-b", Helm.NAMESPACE), roles.keySet());

    Set<String> namespaced = documentedPermissions();
    namespaced.removeIf(p -> p.startsWith(LEASES) || p.equals(SELF_SUBJECT_RULES_REVIEWS));
    assertEquals(namespaced, permissions(roles.get("team-a").getRules()));
    assertEquals(namespaced, permissions(roles.get("team-b").getRules()));
    assertTrue(permissions(roles.get(Helm.NAMESPACE).getRules()).stream().allMatch(p -> p.startsWith(LEASES)));
  }

  @Test
  void everyBindingGivesItsRoleToTheOperatorsServiceAccount() {
    for (String[] args : List.of(new String[0], new String[] {"--set", "watchNamespaces={team-a,team-b}"})) {
      Manifests rendered = Helm.template(args);
      Subject operator = new Subject(null, "ServiceAccount",
          rendered.one(ServiceAccount.class).getMetadata().getName(), Helm.NAMESPACE);
      for (ClusterRoleBinding binding : rendered.all(ClusterRoleBinding.class)) {
        assertEquals(List.of(operator), binding.getSubjects());
        assertEquals(rendered.one(ClusterRole.class).getMetadata().getName(), binding.getRoleRef().getName());
      }
      Set<String> roles = rendered.all(Role.class).stream()
          .map(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
          .collect(Collectors.toSet());
      Set<String> bound = rendered.all(RoleBinding.class).stream()
          .peek(b -> assertEquals(List.of(operator), b.getSubjects()))
          .map(b -> b.getMetadata().getNamespace() + "/" + b.getRoleRef().getName())
          .collect(Collectors.toSet());
      assertEquals(roles, bound);
    }
  }

  @Test
  void rbacCreateFalseRendersNoRbac() {
    List<String> kinds = Helm.template("--set", "rbac.create=false").kinds();
    assertFalse(kinds.stream().anyMatch(k -> k.contains("Role")), kinds.toString());
  }

  /** "group/resource:verb" for every grant of the rules. */
  static Set<String> permissions(List<PolicyRule> rules) {
    Set<String> permissions = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            permissions.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    return permissions;
  }

  /** The operator's RBAC table in docs/operator.md: | `group` | `resource` | verbs | why |. */
  static Set<String> documentedPermissions() throws IOException {
    Pattern row = Pattern.compile("^\\| `([^`]*)`(?: \\(core\\))? \\| `([^`]+)` \\| ([a-z, ]+) \\|");
    Set<String> permissions = new TreeSet<>();
    for (String line : Files.readAllLines(Helm.REPO.resolve("docs/operator.md"))) {
      Matcher m = row.matcher(line);
      if (m.find()) {
        String group = m.group(1).equals("\"\"") ? "" : m.group(1);
        for (String verb : m.group(3).split(",")) {
          permissions.add(group + "/" + m.group(2) + ":" + verb.strip());
        }
      }
    }
    assertFalse(permissions.isEmpty(), "no RBAC table found in docs/operator.md");
    return permissions;
  }
}
