package dev.odin.ws.balancer;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;

/** Why a client connection was answered with an error instead of being proxied: the metric tag and the reply. */
enum Rejection {
  NO_HEALTHY_BACKEND("no_healthy_backend", 503, "Service Unavailable"),
  BACKEND_CONNECT_FAILED("backend_connect_failed", 502, "Bad Gateway"),
  BAD_REQUEST("bad_request", 400, "Bad Request"),
  HEAD_TOO_LARGE("head_too_large", 431, "Request Header Fields Too Large"),
  HEAD_TIMEOUT("head_timeout", 408, "Request Timeout");

  private final String tag;
  private final int status;
  private final String phrase;

  Rejection(String tag, int status, String phrase) {
    this.tag = tag;
    this.status = status;
    this.phrase = phrase;
  }

  String tag() {
    return tag;
  }

  int status() {
    return status;
  }

  /** Counts the rejection, answers the client and closes its connection once the answer is written. */
  void reply(Channel client, BalancerMetrics metrics) {
    metrics.rejected(this);
    client
        .writeAndFlush(Unpooled.copiedBuffer(response(), StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** The complete HTTP/1.1 response: the connection closes after it, so no keep-alive is offered. */
  String response() {
    String body = tag + "\n";
    return "HTTP/1.1 " + status + " " + phrase + "\r\n"
        + "Content-Type: text/plain; charset=utf-8\r\n"
        + "Content-Length: " + body.length() + "\r\n"
        + "Connection: close\r\n"
        + "\r\n"
        + body;
  }
}
