package dev.odin.ws.shard.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonValueTest {
  @Test
  void requestFieldsReadAsTheProtocolUsesThem() throws Exception {
    JsonValue message = JsonValue.parse(
        "{\"type\":\"subscribe\",\"id\":7,\"channels\":[\"a\",\"b\"],\"since\":{\"a\":\"t:0:5\"},\"flag\":true}");
    assertThat(message.isObject()).isTrue();
    assertThat(message.get("type").textValue()).isEqualTo("subscribe");
    assertThat(message.get("channels").items()).extracting(JsonValue::textValue).containsExactly("a", "b");
    assertThat(message.get("since").fields()).containsOnlyKeys("a");
    assertThat(message.get("since").get("a").textValue()).isEqualTo("t:0:5");
    assertThat(message.get("missing")).isNull();
    assertThat(message.get("id").isTextual()).isFalse();
    assertThat(message.get("id").textValue()).isNull();
    assertThat(message.get("type").get("anything")).as("a string has no fields").isNull();
  }

  @Test
  void anIdIsWrittenBackAsTheClientSentIt() throws Exception {
    for (String id : List.of("7", "-0.50", "1E+2", "123456789012345678901234567890", "\"é\\n\\u0000\"",
        "{\"a\":[1,null,false,{\"b\":\"c\"}]}", "[]", "{}", "true", "null")) {
      assertThat(JsonValue.parse("{\"id\":" + id + "}").get("id").toJson()).isEqualTo(id);
    }
  }

  @Test
  void theLastOfTwoEqualFieldNamesWinsAsInATreeModel() throws Exception {
    String text = "{\"type\":\"ping\",\"x\":1,\"type\":\"subscribe\"}";
    assertThat(JsonValue.parse(text).get("type").textValue()).isEqualTo("subscribe");
    assertThat(JsonValue.parse(text).toJson()).isEqualTo(new ObjectMapper().readTree(text).toString());
  }

  @Test
  void blankTextHasNoValueAndWhatFollowsTheFirstValueIsNotRead() throws Exception {
    assertThat(JsonValue.parse("")).isNull();
    assertThat(JsonValue.parse("  \n")).isNull();
    assertThat(JsonValue.parse("{\"type\":\"ping\"} trailing").get("type").textValue()).isEqualTo("ping");
  }

  @Test
  void malformedJsonThrowsWithTheParsersReason() {
    for (String bad : List.of("{not json", "{\"a\":", "[1,2", "{\"a\" 1}", "tru", "\"unterminated", "{\"a\":1,}")) {
      assertThatThrownBy(() -> JsonValue.parse(bad)).as(bad).isInstanceOf(JsonProcessingException.class)
          .satisfies(e -> assertThat(((JsonProcessingException) e).getOriginalMessage()).isNotBlank());
    }
  }

  @Test
  void nestingDeeperThanTheParsersLimitIsAnErrorNotAStackOverflow() {
    String deep = "[".repeat(5_000) + "]".repeat(5_000);
    assertThatThrownBy(() -> JsonValue.parse(deep)).isInstanceOf(JsonProcessingException.class)
        .hasMessageContaining("nesting depth");
  }
}
