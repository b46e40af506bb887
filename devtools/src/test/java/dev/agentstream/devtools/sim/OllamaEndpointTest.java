package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Instant;

import static dev.agentstream.devtools.sim.ProtocolFixtures.GREETER_ANSWER;
import static dev.agentstream.devtools.sim.ProtocolFixtures.chat;
import static dev.agentstream.devtools.sim.ProtocolFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/chat} of a real {@link LlmSimulator}, over loopback HTTP. */
class OllamaEndpointTest {

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
    void shouldAnswerOllamaChat() throws Exception {
        HttpResponse<String> response = post(chat(Protocol.OLLAMA));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.path("model").asText()).isEqualTo("sim-model");
        assertThat(Instant.parse(body.path("created_at").asText()))
                .isBefore(Instant.now().plusSeconds(1));
        assertThat(body.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(body.path("message").path("content").asText()).isEqualTo(GREETER_ANSWER);
        assertThat(body.path("done").asBoolean()).isTrue();
        assertThat(body.path("done_reason").asText()).isEqualTo("stop");
        assertThat(body.path("prompt_eval_count").asInt()).isPositive();
        assertThat(body.path("eval_count").asInt()).isPositive();
        assertThat(body.path("total_duration").asLong()).isPositive();
    }

    @Test
    void shouldStopAtNumPredict() throws Exception {
        ObjectNode request = chat(Protocol.OLLAMA);
        ((ObjectNode) request.get("options")).put("num_predict", 3);

        JsonNode body = json(post(request));

        assertThat(body.path("done_reason").asText()).isEqualTo("length");
        assertThat(body.path("eval_count").asInt()).isEqualTo(3);
    }

    @Test
    void shouldNotLimitTheAnswerWhenNumPredictIsNegative() throws Exception {
        ObjectNode request = chat(Protocol.OLLAMA);
        ((ObjectNode) request.get("options")).put("num_predict", -1);

        JsonNode body = json(post(request));

        assertThat(body.path("message").path("content").asText()).isEqualTo(GREETER_ANSWER);
    }

    @Test
    void shouldRejectStreamTrue() throws Exception {
        assertError(post(chat(Protocol.OLLAMA).put("stream", true)), "stream");
    }

    @Test
    void shouldRejectAnAbsentStreamBecauseOllamaWouldStream() throws Exception {
        ObjectNode request = chat(Protocol.OLLAMA);
        request.remove("stream");

        assertError(post(request), "absent");
    }

    @Test
    void shouldRejectAMissingModelAndUnknownRoles() throws Exception {
        ObjectNode noModel = chat(Protocol.OLLAMA);
        noModel.remove("model");
        ObjectNode badRole = chat(Protocol.OLLAMA);
        ((ObjectNode) badRole.get("messages").get(1)).put("role", "narrator");

        assertError(post(noModel), "model is required");
        assertError(post(badRole), "narrator");
    }

    // ------------------------------------------------------------------------

    private static HttpResponse<String> post(JsonNode request) throws Exception {
        return ProtocolFixtures.send(
                http, ProtocolFixtures.request(simulator, Protocol.OLLAMA, request));
    }

    private static void assertError(HttpResponse<String> response, String mention)
            throws Exception {
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = json(response);
        assertThat(body.size()).isEqualTo(1);
        assertThat(body.path("error").asText()).contains(mention);
    }
}
