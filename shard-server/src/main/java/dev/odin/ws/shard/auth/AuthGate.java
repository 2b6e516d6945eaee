package dev.odin.ws.shard.auth;

import dev.odin.ws.shard.metrics.ShardMetrics;
import dev.odin.ws.shard.ws.HttpResponses;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The upgrade request's part of authentication, before the handshake: a foreign Origin gets HTTP 403; a token in
 * {@code Authorization: Bearer} or in the {@code Sec-WebSocket-Protocol} offer {@code bearer.<token>} is verified
 * and its result handed to the connection. The token entry is taken out of the offer before Netty's handshaker
 * sees it, so it is never echoed or logged; the handshaker then selects {@link #SUBPROTOCOL} when it is offered.
 * A bad token is not refused here: the connection is upgraded and closed with 4001, which every client can read,
 * where a browser shows any refused upgrade as a bare 1006. Removes itself once it passes the request on.
 */
public final class AuthGate extends ChannelInboundHandlerAdapter {
  /** The subprotocol a browser offers beside its token: {@code new WebSocket(url, ["odin-ws", "bearer." + jwt])}. */
  public static final String SUBPROTOCOL = "odin-ws";
  static final String PROTOCOL_TOKEN_PREFIX = "bearer.";
  private static final String BEARER = "bearer ";

  private final Authenticator shard;
  private final ConnectionAuth connection;
  private final ShardMetrics metrics;

  /** {@code connection}: null when authentication is off and only the Origin is checked. */
  public AuthGate(Authenticator shard, ConnectionAuth connection, ShardMetrics metrics) {
    this.shard = shard;
    this.connection = connection;
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request)) {
      ctx.fireChannelRead(msg);
      return;
    }
    HttpHeaders headers = request.headers();
    if (!shard.originAllowed(headers.get(HttpHeaderNames.ORIGIN))) {
      // Ownership: the refused request ends here.
      request.release();
      shard.failed(AuthFailure.ORIGIN);
      metrics.connectionRejected("origin");
      HttpResponses.sendText(ctx, HttpResponseStatus.FORBIDDEN,
          "origin not allowed: this WebSocket endpoint admits pages of its allowed origins only", true);
      return;
    }
    String token = takeToken(headers);
    if (connection != null && token != null) {
      connection.tokenAtUpgrade(token);
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(request);
  }

  /** The token of the request, taken out of the subprotocol offer if it came in one; null when there is none. */
  static String takeToken(HttpHeaders headers) {
    String token = null;
    String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      token = authorization.substring(BEARER.length()).trim();
    }
    List<String> offered = headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (offered.isEmpty()) {
      return token;
    }
    List<String> kept = new ArrayList<>();
    for (String header : offered) {
      for (String entry : header.split(",")) {
        String protocol = entry.trim();
        if (protocol.regionMatches(true, 0, PROTOCOL_TOKEN_PREFIX, 0, PROTOCOL_TOKEN_PREFIX.length())) {
          if (token == null) {
            token = protocol.substring(PROTOCOL_TOKEN_PREFIX.length());
          }
        } else if (!protocol.isEmpty()) {
          kept.add(protocol);
        }
      }
    }
    headers.remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
    if (!kept.isEmpty()) {
      headers.set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", kept));
    }
    return token;
  }
}
