package io.advrank.runtime.http;

import com.sun.net.httpserver.HttpExchange;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may reach a process's HTTP endpoints: the address they bind ({@value #BIND}, default {@code
 * 127.0.0.1}, so nothing is reachable from another machine unless exposed on purpose, e.g. {@code
 * 0.0.0.0} in a container Prometheus scrapes) and the bearer token that interactive endpoints (the
 * monitor's queries, the console) require when set ({@value #TOKEN}: a secret, never logged).
 * {@code /metrics} and {@code /health} never require the token, so Prometheus and Kubernetes probes
 * work unchanged. Interactive endpoints bound to a non-loopback address without a token are served,
 * with a warning at start (see docs/signing.md).
 *
 * @param bind the address to bind: an IP literal, or {@code localhost}
 * @param token the bearer token interactive endpoints require, if any
 */
public record HttpAccess(InetAddress bind, Optional<String> token) {
  public static final String BIND = "http.bind";
  public static final String TOKEN = "http.token";

  /** Both keys, for a service's set of known keys. */
  public static final Set<String> KEYS = Set.of(BIND, TOKEN);

  /** Loopback only, no token: the default. */
  public static final HttpAccess LOCAL =
      new HttpAccess(InetAddress.getLoopbackAddress(), Optional.empty());

  private static final Logger LOG = LoggerFactory.getLogger(HttpAccess.class);
  private static final int MIN_TOKEN = 16;

  public HttpAccess {
    Objects.requireNonNull(bind, BIND);
    Objects.requireNonNull(token, TOKEN);
    if (token.isPresent() && (token.get().length() < MIN_TOKEN || token.get().isBlank())) {
      // The value is not echoed: it is a secret.
      throw new SettingsException(
          "setting '"
              + TOKEN
              + "' must be at least "
              + MIN_TOKEN
              + " characters (e.g. openssl rand -hex 24), got "
              + token.get().length());
    }
  }

  /** Reads {@value #BIND} and {@value #TOKEN}; an empty token counts as none. */
  public static HttpAccess from(SettingsSource source) {
    String raw = source.string(BIND, "127.0.0.1").strip();
    InetAddress bind;
    try {
      if (!raw.equals("localhost") && !raw.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
        throw new UnknownHostException(raw);
      }
      bind = InetAddress.getByName(raw); // an IP literal: no name lookup
    } catch (UnknownHostException e) {
      throw new SettingsException(
          "setting '%s' has bad value '%s' (from %s): expected an IP address such as 127.0.0.1"
                  .formatted(BIND, raw, source.origin(BIND))
              + " (default, this machine only), 0.0.0.0 (every interface) or ::");
    }
    Optional<String> token = source.find(TOKEN).map(String::strip).filter(t -> !t.isEmpty());
    return new HttpAccess(bind, token);
  }

  /** Whether only this machine can connect. */
  public boolean loopbackOnly() {
    return bind.isLoopbackAddress();
  }

  /** The socket address to bind for {@code port}. */
  public InetSocketAddress address(int port) {
    return new InetSocketAddress(bind, port);
  }

  /** Logs a warning if interactive endpoints named {@code what} are exposed without a token. */
  public void warnIfOpen(String what) {
    if (!loopbackOnly() && token.isEmpty()) {
      LOG.warn(
          "{} listen on {} without a token: anyone who can reach this address can use them; set {}"
              + " (ADVRANK_HTTP_TOKEN) or {}=127.0.0.1",
          what,
          bind.getHostAddress(),
          TOKEN,
          BIND);
    }
  }

  /**
   * For an interactive endpoint: true if the request may proceed (no token configured, or {@code
   * Authorization: Bearer <token>} matches); otherwise answers 401 and returns false.
   */
  public boolean authorize(HttpExchange exchange) throws IOException {
    if (token.isEmpty()) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    String expected = "Bearer " + token.get();
    if (header != null
        && MessageDigest.isEqual( // constant time: no timing hint about the token
            header.strip().getBytes(StandardCharsets.UTF_8),
            expected.getBytes(StandardCharsets.UTF_8))) {
      return true;
    }
    byte[] body = "missing or wrong bearer token\n".getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"advrank\"");
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(401, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
    return false;
  }

  @Override
  public String toString() {
    return "HttpAccess[bind="
        + bind.getHostAddress()
        + ", token="
        + (token.isPresent() ? "set" : "none")
        + "]";
  }
}
