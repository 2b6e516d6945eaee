package dev.odin.ws.loadtest;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** One WebSocket endpoint ({@code ws://host:port/path}) and its upgrade request, built once. */
record Target(InetSocketAddress address, byte[] upgradeRequest) {
  static Target parse(String url) {
    return parse(url, "");
  }

  /** {@code bearerToken}: sent as {@code Authorization: Bearer} on every upgrade, for a cluster that authenticates. */
  static Target parse(String url, String bearerToken) {
    URI uri = URI.create(url);
    if (!"ws".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("--url " + url + " is not ws://host:port/path");
    }
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    // A fixed key is fine for a load generator: the server only echoes its hash back.
    String request = "GET " + path + " HTTP/1.1\r\n"
        + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + (bearerToken.isEmpty() ? "" : "Authorization: Bearer " + bearerToken + "\r\n")
        + "\r\n";
    return new Target(new InetSocketAddress(uri.getHost(), uri.getPort()), request.getBytes(StandardCharsets.US_ASCII));
  }
}
