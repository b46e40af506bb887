package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Talks to a real {@link LlmSimulator} over loopback HTTP. */
class LlmSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GREETING = "<Greeting><name>Ada</name></Greeting>";
    private static final String GREETER_PROMPT =
            "You greet people.\n\n"
                    + "You are the agent \"greeter\" of the organism \"hello\".\n"
                    + "Each element goes to the peer that accepts its root tag:\n"
                    + "- shouter: Shouts the greeting in ALL CAPS. Accepts <GreetingResponse>.\n"
                    + "- logger: Logs everything. Accepts <LogLine>.\n";
    private static final String LONE_PROMPT =
            "You shout.\nYou have no peers: your answer goes back to the sender.\n";

    private static LlmSimulator simulator;
    private static HttpClient http;

    @BeforeAll
    static void startSimulator() throws Exception {
        simulator = LlmSimulator.start(0);
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @BeforeEach
    void resetControls() {
        simulator.setLatency(Duration.ZERO);
        simulator.failNext(0, 500);
    }

    @Test
    void shouldAnswerWithTheFirstPeersElement() throws Exception {
        HttpResponse<String> response = post(chat(GREETER_PROMPT, GREETING));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        String answer = answerOf(body);
        assertThat(answer)
                .isEqualTo(
                        "<GreetingResponse><message>Hello, Ada! Greetings received."
                                + "</message></GreetingResponse>");
        Document parsed = parseXml(answer);
        assertThat(parsed.getDocumentElement().getTagName()).isEqualTo("GreetingResponse");
        assertThat(body.path("object").asText()).isEqualTo("chat.completion");
        assertThat(body.path("model").asText()).isEqualTo("sim-model");
        assertThat(body.path("id").asText()).startsWith("chatcmpl-sim-");
        assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(body.path("choices").path(0).path("message").path("role").asText())
                .isEqualTo("assistant");
    }

    @Test
    void shouldEscapeTheQuotedTextSoThatTheElementStaysWellFormed() throws Exception {
        String payload = "<Greeting><name>Ada &amp; &lt;Bob&gt;</name></Greeting>";

        String answer = answerOf(JSON.readTree(post(chat(GREETER_PROMPT, payload)).body()));

        Document parsed = parseXml(answer);
        assertThat(parsed.getDocumentElement().getTextContent())
                .isEqualTo("Hello, Ada & <Bob>! Greetings received.");
    }

    @Test
    void shouldAnswerInProseWithoutPeers() throws Exception {
        String answer = answerOf(JSON.readTree(post(chat(LONE_PROMPT, GREETING)).body()));

        assertThat(answer).contains("\"Ada\"").doesNotContain("<").doesNotContain(">");
    }

    @Test
    void shouldCountUsageThatGrowsWithThePrompt() throws Exception {
        JsonNode shortUsage = JSON.readTree(post(chat(GREETER_PROMPT, GREETING)).body());
        String longGreeting =
                "<Greeting><name>"
                        + "Ada Lovelace of the Analytical Engine ".repeat(40)
                        + "</name></Greeting>";
        JsonNode longUsage = JSON.readTree(post(chat(GREETER_PROMPT, longGreeting)).body());

        for (JsonNode body : List.of(shortUsage, longUsage)) {
            JsonNode usage = body.path("usage");
            assertThat(usage.path("prompt_tokens").asInt()).isPositive();
            assertThat(usage.path("completion_tokens").asInt()).isPositive();
            assertThat(usage.path("total_tokens").asInt())
                    .isEqualTo(
                            usage.path("prompt_tokens").asInt()
                                    + usage.path("completion_tokens").asInt());
        }
        assertThat(longUsage.path("usage").path("prompt_tokens").asInt())
                .isGreaterThan(shortUsage.path("usage").path("prompt_tokens").asInt() + 100);
    }

    @Test
    void shouldGiveTheSameAnswerAndIdToTheSameRequest() throws Exception {
        JsonNode first = JSON.readTree(post(chat(GREETER_PROMPT, GREETING)).body());
        JsonNode second = JSON.readTree(post(chat(GREETER_PROMPT, GREETING)).body());
        JsonNode other =
                JSON.readTree(
                        post(chat(GREETER_PROMPT, "<Greeting><name>Bob</name></Greeting>")).body());

        assertThat(second.path("id")).isEqualTo(first.path("id"));
        assertThat(answerOf(second)).isEqualTo(answerOf(first));
        assertThat(other.path("id")).isNotEqualTo(first.path("id"));
    }

    @Test
    void shouldKeepTheBodiesOfRecentRequestsInArrivalOrder() throws Exception {
        String marker = "Grace-" + System.nanoTime();
        post(chat(LONE_PROMPT, "<Greeting><name>" + marker + "</name></Greeting>"));
        post("{not json");

        List<RecordedRequest> recent = simulator.recordedRequests();

        assertThat(recent).hasSizeGreaterThanOrEqualTo(2);
        RecordedRequest withMarker = recent.get(recent.size() - 2);
        assertThat(withMarker.body()).contains(marker).contains("sim-model");
        assertThat(withMarker.bodyLength())
                .isEqualTo(withMarker.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(withMarker.toString()).doesNotContain(marker);
        assertThat(recent.get(recent.size() - 1).body()).isEqualTo("{not json");
    }

    @Test
    void shouldFailExactlyTheRequestedNumberOfRequests() throws Exception {
        int before = simulator.requestCount();
        simulator.failNext(2, 503);

        HttpResponse<String> first = post(chat(GREETER_PROMPT, GREETING));
        HttpResponse<String> second = post(chat(GREETER_PROMPT, GREETING));
        HttpResponse<String> third = post(chat(GREETER_PROMPT, GREETING));

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.statusCode()).isEqualTo(200);
        JsonNode error = JSON.readTree(first.body()).path("error");
        assertThat(error.path("message").asText()).isNotEmpty();
        assertThat(error.path("type").asText()).isEqualTo("server_error");
        assertThat(error.has("code")).isTrue();
        assertThat(simulator.requestCount()).isEqualTo(before + 3);
    }

    @Test
    void shouldSendRetryAfterWithRateLimits() throws Exception {
        simulator.failNext(1, 429);

        HttpResponse<String> response = post(chat(GREETER_PROMPT, GREETING));

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(response.body()).path("error").path("code").asText())
                .isEqualTo("rate_limit_exceeded");
    }

    @Test
    void shouldRejectMalformedJson() throws Exception {
        HttpResponse<String> response = post("{\"model\": \"sim-model\", \"messages\": [");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("error").path("type").asText())
                .isEqualTo("invalid_request_error");
    }

    @Test
    void shouldRejectAMissingModelOrEmptyMessages() throws Exception {
        ObjectNode noModel = chat(GREETER_PROMPT, GREETING);
        noModel.remove("model");
        ObjectNode noMessages = chat(GREETER_PROMPT, GREETING);
        noMessages.putArray("messages");

        assertThat(post(noModel).statusCode()).isEqualTo(400);
        assertThat(post(noMessages).statusCode()).isEqualTo(400);
    }

    @Test
    void shouldCutAnswersAtMaxTokens() throws Exception {
        ObjectNode request = chat(GREETER_PROMPT, GREETING).put("max_tokens", 3);

        JsonNode body = JSON.readTree(post(request).body());

        assertThat(body.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
        assertThat(body.path("usage").path("completion_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void shouldAnswerHealthAndUnknownPaths() throws Exception {
        HttpResponse<String> health = get("/health");
        HttpResponse<String> unknown = get("/v1/models/none");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).path("error").path("code").asText())
                .isEqualTo("unknown_url");
    }

    @Test
    void shouldHonourLatencyWhileServingRequestsConcurrently() throws Exception {
        Duration latency = Duration.ofMillis(400);
        simulator.setLatency(latency);
        int parallel = 8;

        long started = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < parallel; i++) {
            responses.add(http.sendAsync(chatRequest(chat(GREETER_PROMPT, GREETING)), utf8()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        assertThat(elapsed).isGreaterThanOrEqualTo(latency);
        // Serially, 8 requests would take 3.2 s; a generous bound still proves they overlapped.
        assertThat(elapsed).isLessThan(latency.multipliedBy(parallel));
    }

    @Test
    void shouldRejectInvalidControls() {
        assertThatThrownBy(() -> simulator.failNext(1, 200))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> simulator.setLatency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldCloseFastAndIdempotently() throws Exception {
        LlmSimulator other = LlmSimulator.start(0);
        assertThat(other.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+/v1");

        long started = System.nanoTime();
        other.close();
        other.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    // ------------------------------------------------------------------------

    private static ObjectNode chat(String systemPrompt, String payload) {
        ObjectNode request = JSON.createObjectNode().put("model", "sim-model");
        ArrayNode messages = request.putArray("messages");
        messages.addObject().put("role", "system").put("content", systemPrompt);
        messages.addObject().put("role", "user").put("content", "<Hello/>");
        messages.addObject().put("role", "assistant").put("content", "<Hi/>");
        messages.addObject().put("role", "user").put("content", payload);
        return request;
    }

    private static HttpResponse<String> post(ObjectNode request) throws Exception {
        return http.send(chatRequest(request), utf8());
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return http.send(chatRequest(body), utf8());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        String root = simulator.baseUrl().replaceFirst("/v1$", "");
        return http.send(HttpRequest.newBuilder(URI.create(root + path)).GET().build(), utf8());
    }

    private static HttpRequest chatRequest(ObjectNode request) throws Exception {
        return chatRequest(JSON.writeValueAsString(request));
    }

    private static HttpRequest chatRequest(String body) {
        return HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpResponse.BodyHandler<String> utf8() {
        return HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8);
    }

    private static String answerOf(JsonNode body) {
        return body.path("choices").path(0).path("message").path("content").asText();
    }

    private static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }
}
