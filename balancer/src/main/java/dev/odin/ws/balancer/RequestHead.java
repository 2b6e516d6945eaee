package dev.odin.ws.balancer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.x request line and header fields, parsed just far enough to route and to add the forwarding
 * headers. Parsing is strict where leniency would let the balancer and the shard read one byte stream
 * differently (bare CR or LF, obsolete line folding, whitespace before the colon).
 */
final class RequestHead {

  static final String X_FORWARDED_FOR = "X-Forwarded-For";
  static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";

  private final String method;
  private final String target;
  private final String version;
  private final List<Header> headers;

  record Header(String name, String value) {}

  private RequestHead(String method, String target, String version, List<Header> headers) {
    this.method = method;
    this.target = target;
    this.version = version;
    this.headers = List.copyOf(headers);
  }

  /**
   * Parses the head without its final empty line, lines separated by CRLF; throws IllegalArgumentException
   * with a short reason when it is not a valid HTTP/1.x request head.
   */
  static RequestHead parse(String text) {
    String[] lines = text.split("\r\n", -1);
    String[] parts = lines[0].split(" ", -1);
    if (parts.length != 3 || !isToken(parts[0]) || parts[1].isEmpty() || hasControl(parts[1])) {
      throw new IllegalArgumentException("malformed request line");
    }
    if (!parts[2].equals("HTTP/1.1") && !parts[2].equals("HTTP/1.0")) {
      throw new IllegalArgumentException("unsupported version " + parts[2]);
    }
    List<Header> headers = new ArrayList<>(lines.length - 1);
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      int colon = line.indexOf(':');
      if (colon <= 0 || !isToken(line.substring(0, colon))) {
        throw new IllegalArgumentException("malformed header line " + i);
      }
      String value = line.substring(colon + 1).strip();
      if (hasControl(value)) {
        throw new IllegalArgumentException("control character in header line " + i);
      }
      headers.add(new Header(line.substring(0, colon), value));
    }
    return new RequestHead(parts[0], parts[1], parts[2], headers);
  }

  String method() {
    return method;
  }

  String target() {
    return target;
  }

  String version() {
    return version;
  }

  List<Header> headers() {
    return headers;
  }

  /** All values of a header, case-insensitive, in order. */
  List<String> values(String name) {
    List<String> out = new ArrayList<>();
    for (Header h : headers) {
      if (h.name().equalsIgnoreCase(name)) {
        out.add(h.value());
      }
    }
    return out;
  }

  /**
   * Returns this head with the client appended to {@code X-Forwarded-For} (earlier hops kept, merged into one
   * field) and {@code X-Forwarded-Proto} replaced: this balancer is where the client's connection ends, so
   * only it knows the protocol the client used.
   */
  RequestHead forwarded(String clientAddress, String proto) {
    List<String> chain = new ArrayList<>(values(X_FORWARDED_FOR));
    chain.add(clientAddress);
    List<Header> out = new ArrayList<>(headers.size() + 2);
    for (Header h : headers) {
      String lower = h.name().toLowerCase(Locale.ROOT);
      if (!lower.equals("x-forwarded-for") && !lower.equals("x-forwarded-proto")) {
        out.add(h);
      }
    }
    out.add(new Header(X_FORWARDED_FOR, String.join(", ", chain)));
    out.add(new Header(X_FORWARDED_PROTO, proto));
    return new RequestHead(method, target, version, out);
  }

  /** The head as bytes on the wire, including the final empty line. */
  String encode() {
    StringBuilder sb = new StringBuilder(256);
    sb.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
    for (Header h : headers) {
      sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
    }
    return sb.append("\r\n").toString();
  }

  private static boolean isToken(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  // Tab is allowed inside values; every other control character (notably a lone CR or LF) is not.
  private static boolean hasControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
