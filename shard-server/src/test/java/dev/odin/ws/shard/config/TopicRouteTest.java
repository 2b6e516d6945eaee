package dev.odin.ws.shard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class TopicRouteTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void channelIsTheKeyByDefault() {
    assertThat(new TopicRoute("t", null).channelOf(bytes("BTC.trade"), new RecordHeaders())).isEqualTo("BTC.trade");
  }

  @Test
  void templateCombinesTopicAndKey() {
    assertThat(new TopicRoute("prices", "{topic}/{key}").channelOf(bytes("ETH"), new RecordHeaders()))
        .isEqualTo("prices/ETH");
    assertThat(new TopicRoute("news", "{topic}").channelOf(null, new RecordHeaders())).isEqualTo("news");
  }

  @Test
  void theWsChannelHeaderOverridesTheTemplate() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ws-channel", bytes("alerts"));
    assertThat(new TopicRoute("t", "{key}").channelOf(bytes("ignored"), headers)).isEqualTo("alerts");
  }

  @Test
  void aKeyTemplateWithoutAKeyGivesNoChannel() {
    assertThat(new TopicRoute("t", "{key}").channelOf(null, new RecordHeaders())).isNull();
  }
}
