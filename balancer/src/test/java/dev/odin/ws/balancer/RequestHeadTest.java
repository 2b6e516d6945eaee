package dev.odin.ws.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestHeadTest {

  @Test
  void forwardedAddsTheClientAndTheProtoWhenAbsent() {
    RequestHead head = RequestHead.parse("GET /ws HTTP/1.1\r\nHost: a");

    String wire = head.forwarded("10.0.0.7", "http").encode();

    assertEquals(
        "GET /ws HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.7\r\nX-Forwarded-Proto: http\r\n\r\n",
        wire);
  }

  @Test
  void forwardedAppendsTheClientToEveryEarlierHopAndReplacesTheProto() {
    RequestHead head =
        RequestHead.parse(
            "GET /ws HTTP/1.1\r\nx-forwarded-for: 1.1.1.1\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-For: 2.2.2.2, 3.3.3.3");

    RequestHead forwarded = head.forwarded("10.0.0.7", "http");

    assertEquals(
        List.of("1.1.1.1, 2.2.2.2, 3.3.3.3, 10.0.0.7"), forwarded.values("X-Forwarded-For"));
    assertEquals(List.of("http"), forwarded.values("x-forwarded-proto"));
  }

  @Test
  void keepsOtherHeadersInOrderWithTheirValuesTrimmed() {
    RequestHead head = RequestHead.parse("GET / HTTP/1.1\r\nB:  2 \r\nA:1\r\nB: 3");

    assertEquals(
        List.of(
            new RequestHead.Header("B", "2"),
            new RequestHead.Header("A", "1"),
            new RequestHead.Header("B", "3")),
        head.headers());
  }

  @Test
  void rejectsHeadsThatAShardCouldReadDifferently() {
    for (String bad :
        List.of(
            "GET /ws HTTP/2.0",
            "GET /ws",
            "GET  /ws HTTP/1.1",
            "GET /ws HTTP/1.1\r\nHost : a",
            "GET /ws HTTP/1.1\r\nHost: a\nX: b",
            "GET /ws HTTP/1.1\r\nHost: a\rX: b",
            "GET /ws HTTP/1.1\r\n folded: a",
            "GET /ws HTTP/1.1\r\nno-colon")) {
      assertThrows(IllegalArgumentException.class, () -> RequestHead.parse(bad), bad);
    }
  }
}
