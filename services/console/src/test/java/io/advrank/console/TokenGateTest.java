package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's page and data behind {@code http.token}, over a real JDK HTTP server. */
class TokenGateTest {
  private static final String TOKEN = "0123456789abcdef-console";

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private ConsoleServer server;

  @BeforeEach
  void start() throws Exception {
    ConsoleSettings settings =
        new ConsoleSettings(
            "127.0.0.1",
            0,
            "",
            "token-test",
            0,
            new KafkaSettings("localhost:9092", (short) 1),
            Optional.of(TOKEN),
            ModelTrust.NONE);
    server = new ConsoleServer(settings, new ConsoleView(), Clock.systemUTC(), Optional::empty);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void withoutTheTokenEveryPathAnswers401() throws Exception {
    for (String path : new String[] {"/", "/api/state", "/img/item?id=x", "/?token=wrong"}) {
      HttpResponse<String> r = get(path, null, null);
      assertEquals(401, r.statusCode(), path);
      assertFalse(r.body().contains(TOKEN), "the answer must not echo the token");
    }
  }

  @Test
  void aBearerHeaderIsAccepted() throws Exception {
    assertEquals(200, get("/api/state", "Bearer " + TOKEN, null).statusCode());
    assertEquals(401, get("/api/state", "Bearer " + TOKEN + "x", null).statusCode());
  }

  @Test
  void theTokenInTheAddressBecomesACookieAndLeavesTheAddress() throws Exception {
    HttpResponse<String> first = get("/?token=" + TOKEN, null, null);
    assertEquals(303, first.statusCode());
    assertEquals("/", first.headers().firstValue("Location").orElseThrow());
    String setCookie = first.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"), setCookie);
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    assertEquals(200, get("/", null, cookie).statusCode());
    assertEquals(200, get("/api/state", null, "other=1; " + cookie).statusCode());
    assertEquals(401, get("/api/state", null, TokenGate.COOKIE + "=nope").statusCode());
  }

  @Test
  void theSettingsNeverPrintTheToken() {
    ConsoleSettings settings =
        new ConsoleSettings(
            "127.0.0.1",
            0,
            "",
            "g",
            0,
            new KafkaSettings("localhost:9092", (short) 1),
            Optional.of(TOKEN),
            ModelTrust.NONE);
    assertFalse(settings.toString().contains(TOKEN), settings.toString());
  }

  private HttpResponse<String> get(String path, String authorization, String cookie)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
