package io.advrank.runtime.http;

import com.sun.net.httpserver.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The query parameters of a request to one of the services' HTTP endpoints. */
public final class QueryString {
  private QueryString() {}

  /**
   * Each {@code name=value} pair of the request's query, URL-decoded, in order; a pair without a
   * name is skipped and a repeated name keeps its last value.
   */
  public static Map<String, String> parameters(HttpExchange ex) {
    return parse(ex.getRequestURI().getRawQuery());
  }

  static Map<String, String> parse(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
