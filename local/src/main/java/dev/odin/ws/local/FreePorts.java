package dev.odin.ws.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Loopback ports that were free a moment ago. A shard is a separate process and must be told its ports, so
 * binding port 0 is not an option; if another process takes the port first, the shard fails to bind, exits, and
 * its restart picks fresh ports.
 */
final class FreePorts {
  private FreePorts() {}

  static int pick() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
