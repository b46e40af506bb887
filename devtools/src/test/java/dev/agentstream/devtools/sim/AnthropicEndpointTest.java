package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static dev.agentstream.devtools.sim.ProtocolFixtures.GREETER_ANSWER;
import static dev.agentstream.devtools.sim.ProtocolFixtures.GREETER_PROMPT;
import static dev.agentstream.devtools.sim.ProtocolFixtures.GREETING;
import static dev.agentstream.devtools.sim.ProtocolFixtures.JSON;
import static dev.agentstream.devtools.sim.ProtocolFixtures.chat;
import static dev.agentstream.devtools.sim.ProtocolFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /v1/messages} of a real {@link LlmSimulator}, over loopback HTTP. */
class AnthropicEndpointTest {

    private static LlmSimulator simulator;
    private static HttpClient http;

    @BeforeAll
    static void startSimulator() throws Exception {
        simulator = LlmSimulator.start(0);
        http = ProtocolFixtures.client();
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @BeforeEach
    void resetControls() {
        simulator.failNext(0, Fault.status(500));
        simulator.setContextWindow(0);
    }

    @Test
    void shouldAnswerAnthropicMessages() throws Exception {
        HttpResponse<String> response = post(chat(Protocol.ANTHROPIC));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("id").asText()).matches("msg_sim_[0-9a-f]{24}");
        assertThat(body.path("type").asText()).isEqualTo("message");
        assertThat(body.path("role").asText()).isEqualTo("assistant");
        assertThat(body.path("model").asText()).isEqualTo("sim-model");
        assertThat(body.path("content")).hasSize(1);
        assertThat(body.path("content").path(0).path("type").asText()).isEqualTo("text");
        assertThat(body.path("content").path(0).path("text").asText()).isEqualTo(GREETER_ANSWER);
        assertThat(body.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(body.path("stop_sequence").isNull()).isTrue();
        JsonNode usage = body.path("usage");
        assertThat(usage.path("input_tokens").asInt()).isPositive();
        assertThat(usage.path("output_tokens").asInt()).isPositive();
        assertThat(usage.path("cache_creation_input_tokens").asInt()).isZero();
        assertThat(usage.path("cache_read_input_tokens").asInt()).isZero();
    }

    @Test
    void shouldReadSystemAndContentAsTextBlocks() throws Exception {
        ObjectNode request = chat(Protocol.ANTHROPIC);
        request.putArray("system")
                .addObject()
                .put("type", "text")
                .put("text", GREETER_PROMPT)
                .putObject("cache_control")
                .put("type", "ephemeral");
        ArrayNode messages = request.putArray("messages");
        messages.addObject().put("role", "user").put("content", "<Hello/>");
        messages.addObject()
                .put("role", "assistant")
                .putArray("content")
                .addObject()
                .put("type", "text")
                .put("text", "<Hi/>");
        messages.addObject()
                .put("role", "user")
                .putArray("content")
                .addObject()
                .put("type", "text")
                .put("text", GREETING);

        JsonNode blocks = json(post(request));
        JsonNode strings = json(post(chat(Protocol.ANTHROPIC)));

        assertThat(blocks.path("content").path(0).path("text").asText()).isEqualTo(GREETER_ANSWER);
        assertThat(blocks.path("id")).isEqualTo(strings.path("id"));
        assertThat(blocks.path("usage")).isEqualTo(strings.path("usage"));
    }

    @Test
    void shouldStopAtMaxTokens() throws Exception {
        JsonNode body = json(post(chat(Protocol.ANTHROPIC).put("max_tokens", 3)));

        assertThat(body.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(body.path("usage").path("output_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void shouldRequireMaxTokens() throws Exception {
        ObjectNode request = chat(Protocol.ANTHROPIC);
        request.remove("max_tokens");

        assertInvalidRequest(post(request), "max_tokens");
    }

    @Test
    void shouldRequireTheAnthropicVersionHeader() throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(simulator.chatUrl(Protocol.ANTHROPIC)))
                        .header("x-api-key", "sk-test")
                        .POST(
                                HttpRequest.BodyPublishers.ofString(
                                        chat(Protocol.ANTHROPIC).toString()))
                        .build();

        assertInvalidRequest(ProtocolFixtures.send(http, request), "anthropic-version");
    }

    @Test
    void shouldRejectASystemRoleAmongTheMessages() throws Exception {
        ObjectNode request = chat(Protocol.ANTHROPIC);
        request.remove("system");
        ((ArrayNode) request.get("messages"))
                .insertObject(0)
                .put("role", "system")
                .put("content", GREETER_PROMPT);

        assertInvalidRequest(post(request), "system");
    }

    @Test
    void shouldRejectAConversationThatStartsWithTheAssistant() throws Exception {
        ObjectNode request = chat(Protocol.ANTHROPIC);
        ((ArrayNode) request.get("messages")).remove(0);

        assertInvalidRequest(post(request), "first message");
    }

    @Test
    void shouldRejectRolesThatDoNotAlternate() throws Exception {
        ObjectNode request = chat(Protocol.ANTHROPIC);
        ((ArrayNode) request.get("messages")).remove(1);

        assertInvalidRequest(post(request), "alternate");
    }

    @Test
    void shouldRejectUnsupportedContentBlocks() throws Exception {
        ObjectNode request = chat(Protocol.ANTHROPIC);
        ((ObjectNode) request.get("messages").get(2))
                .putArray("content")
                .addObject()
                .put("type", "image");

        assertInvalidRequest(post(request), "image");
    }

    @Test
    void shouldRejectMalformedJsonAndOtherMethodsInAnthropicsShape() throws Exception {
        HttpResponse<String> malformed =
                ProtocolFixtures.send(
                        http,
                        ProtocolFixtures.request(simulator, Protocol.ANTHROPIC, "{\"model\":"));
        HttpResponse<String> get =
                ProtocolFixtures.send(
                        http,
                        HttpRequest.newBuilder(URI.create(simulator.chatUrl(Protocol.ANTHROPIC)))
                                .GET()
                                .build());

        assertInvalidRequest(malformed, "JSON");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(json(get).path("type").asText()).isEqualTo("error");
    }

    // ------------------------------------------------------------------------

    private static HttpResponse<String> post(JsonNode request) throws Exception {
        return ProtocolFixtures.send(
                http, ProtocolFixtures.request(simulator, Protocol.ANTHROPIC, request));
    }

    private static void assertInvalidRequest(HttpResponse<String> response, String mention)
            throws Exception {
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.path("error").path("message").asText()).contains(mention);
    }
}
