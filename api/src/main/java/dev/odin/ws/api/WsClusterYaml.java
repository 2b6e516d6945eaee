package dev.odin.ws.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Reads a WsCluster YAML document strictly (unknown fields are errors) and validates it like the CRD. */
public final class WsClusterYaml {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private WsClusterYaml() {}

  public static WsCluster load(Path file) {
    try {
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read WsCluster file " + file, e);
    }
  }

  /** Parses and validates; {@code source} names the document in messages. */
  public static WsCluster parse(String yaml, String source) {
    WsCluster cr;
    try {
      cr = YAML.readValue(yaml, WsCluster.class);
    } catch (MismatchedInputException e) {
      throw new InvalidWsClusterException(source, List.of(path(e) + ": " + e.getOriginalMessage() + bareWord(e)));
    } catch (JsonMappingException e) {
      throw new InvalidWsClusterException(source, List.of(path(e) + ": " + e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new InvalidWsClusterException(source, List.of("not YAML: " + e.getOriginalMessage()));
    }
    if (cr == null) {
      throw new InvalidWsClusterException(source, List.of("empty document"));
    }
    if (!WsCluster.API_VERSION.equals(cr.getApiVersion()) || !WsCluster.KIND.equals(cr.getKind())) {
      throw new InvalidWsClusterException(source, List.of(
          "apiVersion/kind must be " + WsCluster.API_VERSION + "/" + WsCluster.KIND + ", got "
              + cr.getApiVersion() + "/" + cr.getKind()));
    }
    return WsClusterValidator.validate(cr, source);
  }

  /**
   * YAML 1.1, which kubectl speaks too, reads a bare {@code Off}, {@code On}, {@code Yes} or {@code No} as a boolean:
   * a mode written {@code rebalance: Off} arrives as {@code false}. The message says how to write it.
   */
  private static String bareWord(MismatchedInputException e) {
    boolean enumTarget = e.getTargetType() != null && e.getTargetType().isEnum();
    boolean fromBoolean = e.getOriginalMessage() != null && e.getOriginalMessage().contains("from Boolean value");
    if (!enumTarget || !fromBoolean) {
      return "";
    }
    return " (YAML reads a bare Off, On, Yes or No as a boolean: quote the value, e.g. \"Off\")";
  }

  private static String path(JsonMappingException e) {
    String p = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
    return p.replace(".[", "[");
  }
}
