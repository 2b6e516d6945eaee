package dev.odin.ws.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Client of a shard's management API (port 9090): {@code GET /stats}, {@code POST /drain}, {@code POST /shed}. */
public final class ShardAdminClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http;
  private final Duration timeout;

  public ShardAdminClient(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  /** Reads {@code base/stats}, where {@code base} is e.g. {@code http://10.0.0.7:9090}. */
  public ShardStats stats(URI base) throws IOException, InterruptedException {
    HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/stats")).GET(), base);
    return JSON.readValue(response.body(), ShardStats.class);
  }

  /** Asks the shard to stop admitting and close all clients with 1012, paced over its drain window. */
  public void drain(URI base) throws IOException, InterruptedException {
    drain(base, false, null);
  }

  /**
   * Asks the shard to stop admitting and close all clients, paced over its drain window: with 1001 ("going away")
   * when the whole cluster is being deleted, else 1012 (reconnect elsewhere). A shard already draining keeps its
   * first drain. {@code managementToken} goes as {@code Authorization: Bearer}; null: none.
   */
  public void drain(URI base, boolean goingAway, String managementToken) throws IOException, InterruptedException {
    URI uri = base.resolve(goingAway ? "/drain?code=1001" : "/drain");
    send(withToken(HttpRequest.newBuilder(uri), managementToken).POST(HttpRequest.BodyPublishers.noBody()), base);
  }

  /** Asks the shard to close {@code count} clients, paced; it stays ready. */
  public void shed(URI base, int count) throws IOException, InterruptedException {
    shed(base, count, null);
  }

  /** As {@link #shed(URI, int)}, with the shard's management token; null: none. */
  public void shed(URI base, int count, String managementToken) throws IOException, InterruptedException {
    URI uri = base.resolve("/shed?count=" + count);
    send(withToken(HttpRequest.newBuilder(uri), managementToken).POST(HttpRequest.BodyPublishers.noBody()), base);
  }

  private static HttpRequest.Builder withToken(HttpRequest.Builder request, String managementToken) {
    return managementToken == null ? request : request.header("Authorization", "Bearer " + managementToken);
  }

  private HttpResponse<String> send(HttpRequest.Builder request, URI base) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          "shard " + base + " answered " + response.statusCode() + " to " + response.request().uri().getPath()
              + ": " + response.body());
    }
    return response;
  }
}
