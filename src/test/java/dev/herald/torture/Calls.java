package dev.herald.torture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testing.ChildHerald;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Calls to the child Herald with an organisation token: JDK client, or raw for hostile bodies. */
record Calls(ChildHerald child, HttpClient http, String token) {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  static String msgPath(String app) {
    return "/api/v1/app/" + app + "/msg";
  }

  Map<String, String> authHeaders() {
    return Map.of("Authorization", "Bearer " + token, "Content-Type", "application/json");
  }

  /** A POST over a raw socket: {@code length} bytes declared, or chunked when negative. */
  RawHttp.Answer raw(String path, InputStream body, long length) {
    Map<String, String> headers = new LinkedHashMap<>(authHeaders());
    headers.put(
        length < 0 ? "Transfer-Encoding" : "Content-Length",
        length < 0 ? "chunked" : Long.toString(length));
    return RawHttp.exchange(
        child.port(), RawHttp.head("POST", path, headers), body, length, TIMEOUT);
  }

  HttpResponse<String> post(String path, byte[] body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(child.baseUrl() + path)).timeout(TIMEOUT);
    authHeaders().forEach(b::header);
    return http.send(
        b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(child.baseUrl() + path)).timeout(TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Creates app {@code uid} with one endpoint per URL. */
  void app(String uid, String... endpoints) throws Exception {
    HttpResponse<String> r =
        post("/api/v1/app", Bodies.bytes("{\"name\":\"" + uid + "\",\"uid\":\"" + uid + "\"}"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    for (String url : endpoints) {
      HttpResponse<String> e =
          post("/api/v1/app/" + uid + "/endpoint", Bodies.bytes("{\"url\":\"" + url + "\"}"));
      assertThat(e.statusCode()).as(e.body()).isEqualTo(201);
    }
  }
}
