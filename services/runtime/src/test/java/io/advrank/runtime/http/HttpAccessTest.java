package io.advrank.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.advrank.runtime.metrics.Health;
import io.advrank.runtime.metrics.MetricsServer;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Bind address and bearer token of the HTTP endpoints, over real sockets. */
class HttpAccessTest {
  private static final String TOKEN = "s3cret-token-0123456789";
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private static HttpAccess access(Map<String, String> flags) {
    return HttpAccess.from(SettingsSource.load(HttpAccess.KEYS, flags, Map.of(), null));
  }

  @Test
  void bindsLoopbackByDefaultSoOtherMachinesCannotConnect() throws Exception {
    HttpAccess access = access(Map.of());
    assertTrue(access.loopbackOnly());
    try (MetricsServer server = MetricsServer.start(access, 0, registry, Health::up)) {
      assertTrue(server.address().getAddress().isLoopbackAddress(), server.address().toString());
      Optional<InetAddress> external = externalAddress();
      Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address");
      assertThrows(IOException.class, () -> new Socket(external.get(), server.port()).close());
    }
  }

  @Test
  void exposesEveryInterfaceWhenAsked() throws Exception {
    HttpAccess access = access(Map.of("http.bind", "0.0.0.0"));
    assertFalse(access.loopbackOnly());
    try (MetricsServer server = MetricsServer.start(access, 0, registry, Health::up)) {
      assertTrue(server.address().getAddress().isAnyLocalAddress(), server.address().toString());
      assertEquals(200, get(server.port(), "/metrics", null).statusCode(), "no token for scrapes");
      Optional<InetAddress> external = externalAddress();
      if (external.isPresent()) {
        new Socket(external.get(), server.port()).close();
      }
    }
  }

  @Test
  void badSettingsNameTheSettingAndNeverEchoTheToken() {
    SettingsException bind =
        assertThrows(SettingsException.class, () -> access(Map.of("http.bind", "my-host")));
    assertTrue(bind.getMessage().startsWith("setting 'http.bind' has bad value 'my-host'"));
    assertTrue(bind.getMessage().contains("0.0.0.0"), bind.getMessage());
    SettingsException token =
        assertThrows(SettingsException.class, () -> access(Map.of("http.token", "short-secret")));
    assertTrue(token.getMessage().startsWith("setting 'http.token' must be at least 16"));
    assertFalse(token.getMessage().contains("short-secret"), token.getMessage());
    assertFalse(access(Map.of("http.token", TOKEN)).toString().contains(TOKEN));
    assertTrue(access(Map.of("http.token", " ")).token().isEmpty(), "blank = no token");
  }

  @Test
  void interactiveEndpointsRequireTheBearerTokenWhenSet() throws Exception {
    HttpAccess access = access(Map.of("http.token", TOKEN));
    HttpServer server = HttpServer.create(access.address(0), 0);
    server.createContext(
        "/q",
        ex -> {
          if (access.authorize(ex)) {
            ex.sendResponseHeaders(200, -1);
            ex.close();
          }
        });
    server.start();
    try {
      int port = server.getAddress().getPort();
      HttpResponse<String> none = get(port, "/q", null);
      assertEquals(401, none.statusCode());
      assertEquals("Bearer realm=\"advrank\"", none.headers().firstValue("WWW-Authenticate").get());
      assertEquals(401, get(port, "/q", "Bearer " + TOKEN + "x").statusCode());
      assertEquals(401, get(port, "/q", TOKEN).statusCode());
      assertEquals(200, get(port, "/q", "Bearer " + TOKEN).statusCode());
    } finally {
      server.stop(0);
    }
    HttpAccess open = access(Map.of());
    assertTrue(open.token().isEmpty());
  }

  private static HttpResponse<String> get(int port, String path, String authorization)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<InetAddress> externalAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
