package io.advrank.runtime.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class QueryStringTest {
  @Test
  void decodesPairsInOrderAndSkipsNamelessOnes() {
    assertEquals(
        Map.of("id", "query 7", "delivered", "true"),
        QueryString.parse("id=query+7&=x&flag&delivered=true"));
    assertEquals(
        "[a, b]", QueryString.parse("a=%2F1&b=2&a=3").keySet().toString(), "first-seen order");
    assertEquals("3", QueryString.parse("a=%2F1&b=2&a=3").get("a"), "the last value wins");
    assertEquals(Map.of(), QueryString.parse(null));
  }
}
