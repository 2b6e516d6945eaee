package dev.odin.ws.shard.auth;

import java.util.List;
import java.util.Locale;

/**
 * The Origin allow-list of {@code spec.auth.allowedOrigins}: a browser page from any other origin is refused before
 * the upgrade (cross-site WebSocket hijacking). Entries are {@code scheme://host[:port]}; {@code https://*.example.com}
 * admits every subdomain of example.com (not example.com itself). A request without Origin is not a browser's and is
 * left to authentication.
 */
public final class OriginCheck {
  private final List<String> allowed;

  public OriginCheck(List<String> allowed) {
    this.allowed = allowed.stream().map(OriginCheck::normalize).toList();
  }

  /** True when the list is empty, the request has no Origin, or the list admits it. */
  public boolean allows(String origin) {
    if (allowed.isEmpty() || origin == null) {
      return true;
    }
    String candidate = normalize(origin.trim());
    for (String entry : allowed) {
      if (entry.equals(candidate) || wildcardMatches(entry, candidate)) {
        return true;
      }
    }
    return false;
  }

  private static boolean wildcardMatches(String entry, String origin) {
    int star = entry.indexOf("://*.");
    if (star < 0) {
      return false;
    }
    String scheme = entry.substring(0, star + 3);
    String suffix = entry.substring(star + 4); // ".example.com[:port]"
    if (!origin.startsWith(scheme)) {
      return false;
    }
    String host = origin.substring(scheme.length());
    return host.endsWith(suffix) && host.length() > suffix.length() && host.indexOf('/') < 0;
  }

  /** Lower case, without the scheme's default port: {@code HTTPS://App.Example.com:443} is {@code https://app.example.com}. */
  static String normalize(String origin) {
    String lower = origin.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://") && lower.endsWith(":443")) {
      return lower.substring(0, lower.length() - 4);
    }
    if (lower.startsWith("http://") && lower.endsWith(":80")) {
      return lower.substring(0, lower.length() - 3);
    }
    return lower;
  }
}
