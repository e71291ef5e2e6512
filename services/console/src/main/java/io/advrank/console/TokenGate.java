package io.advrank.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * The console's door when a token is set: a browser cannot put {@code Authorization} on the {@code
 * <img>} loads of a page, so besides {@code Authorization: Bearer TOKEN} (scripts, curl) it takes
 * the token once in the address ({@code /?token=TOKEN}), answers with an HttpOnly, SameSite=Strict
 * cookie and a redirect to the same page without it (the token leaves the address bar and the
 * history), and then accepts the cookie. Every comparison takes constant time.
 */
final class TokenGate {
  static final String COOKIE = "advrank_console";

  private final Optional<byte[]> token;

  TokenGate(Optional<String> token) {
    this.token = token.map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * True if the request may go on; otherwise it has been answered (303 to set the cookie, or 401)
   * and the caller must not answer it again.
   */
  boolean admit(HttpExchange ex) throws IOException {
    if (token.isEmpty()) {
      return true;
    }
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth != null && auth.startsWith("Bearer ") && matches(auth.substring(7).strip())) {
      return true;
    }
    if (cookie(ex.getRequestHeaders().get("Cookie")).filter(this::matches).isPresent()) {
      return true;
    }
    Optional<String> inQuery = parameter(ex.getRequestURI().getRawQuery(), "token");
    if (inQuery.filter(this::matches).isPresent()) {
      ex.getResponseHeaders()
          .add("Set-Cookie", COOKIE + "=" + inQuery.get() + "; Path=/; HttpOnly; SameSite=Strict");
      ex.getResponseHeaders().set("Location", ex.getRequestURI().getPath());
      ex.sendResponseHeaders(303, -1);
      return false;
    }
    byte[] body =
        ("the console needs its token (http.token): open it as /?token=TOKEN, or send"
                + " Authorization: Bearer TOKEN\n")
            .getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"advrank\"");
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(401, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return false;
  }

  private boolean matches(String offered) {
    return MessageDigest.isEqual(offered.getBytes(StandardCharsets.UTF_8), token.orElseThrow());
  }

  private static Optional<String> cookie(List<String> headers) {
    if (headers == null) {
      return Optional.empty();
    }
    for (String header : headers) {
      for (String part : header.split(";")) {
        String kv = part.strip();
        if (kv.startsWith(COOKIE + "=")) {
          return Optional.of(kv.substring(COOKIE.length() + 1));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> parameter(String rawQuery, String name) {
    if (rawQuery == null) {
      return Optional.empty();
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.startsWith(name + "=")) {
        return Optional.of(
            URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }
}
