package dev.odin.ws.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A key of a Secret in the WsCluster's namespace that holds token verification keys. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class KeySecretRef {
  @Required
  @Size(min = 1)
  @JsonPropertyDescription("Secret name, in the WsCluster's namespace.")
  private String name;

  @Default("keys")
  @JsonPropertyDescription("Key of the Secret that holds the keys.")
  private String key;

  public String getName() { return name; }
  public void setName(String name) { this.name = name; }
  public String getKey() { return key; }
  public void setKey(String key) { this.key = key; }
}
