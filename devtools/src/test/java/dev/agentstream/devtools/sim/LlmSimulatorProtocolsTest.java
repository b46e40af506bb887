package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static dev.agentstream.devtools.sim.ProtocolFixtures.GREETER_ANSWER;
import static dev.agentstream.devtools.sim.ProtocolFixtures.answerText;
import static dev.agentstream.devtools.sim.ProtocolFixtures.chat;
import static dev.agentstream.devtools.sim.ProtocolFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the three protocols of one {@link LlmSimulator} share: answers, counters, the last request.
 */
class LlmSimulatorProtocolsTest {

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
    void shouldGiveTheSameAnswerToTheSameConversationInEveryProtocol() throws Exception {
        for (String payload :
                new String[] {
                    ProtocolFixtures.GREETING, "<Greeting><name>Bob &amp; Eve</name></Greeting>"
                }) {
            JsonNode openAi = json(post(Protocol.OPENAI, chat(Protocol.OPENAI, payload)));
            JsonNode anthropic = json(post(Protocol.ANTHROPIC, chat(Protocol.ANTHROPIC, payload)));
            JsonNode ollama = json(post(Protocol.OLLAMA, chat(Protocol.OLLAMA, payload)));

            String answer = answerText(Protocol.OPENAI, openAi);
            assertThat(answerText(Protocol.ANTHROPIC, anthropic)).isEqualTo(answer);
            assertThat(answerText(Protocol.OLLAMA, ollama)).isEqualTo(answer);
            int promptTokens = openAi.path("usage").path("prompt_tokens").asInt();
            assertThat(anthropic.path("usage").path("input_tokens").asInt())
                    .isEqualTo(promptTokens);
            assertThat(ollama.path("prompt_eval_count").asInt()).isEqualTo(promptTokens);
            assertThat(anthropic.path("id").asText().substring("msg_sim_".length()))
                    .isEqualTo(openAi.path("id").asText().substring("chatcmpl-sim-".length()));
        }
        JsonNode again = json(post(Protocol.ANTHROPIC, chat(Protocol.ANTHROPIC)));
        assertThat(answerText(Protocol.ANTHROPIC, again)).isEqualTo(GREETER_ANSWER);
    }

    @Test
    void shouldCountRequestsPerProtocolAndInTotal() throws Exception {
        int total = simulator.requestCount();
        int openAi = simulator.requestCount(Protocol.OPENAI);
        int anthropic = simulator.requestCount(Protocol.ANTHROPIC);
        int ollama = simulator.requestCount(Protocol.OLLAMA);

        post(Protocol.OPENAI, chat(Protocol.OPENAI));
        post(Protocol.ANTHROPIC, chat(Protocol.ANTHROPIC));
        post(Protocol.ANTHROPIC, chat(Protocol.ANTHROPIC).put("max_tokens", "many"));
        simulator.failNext(1, Fault.status(503));
        post(Protocol.OLLAMA, chat(Protocol.OLLAMA));
        get("/health");

        assertThat(simulator.requestCount(Protocol.OPENAI)).isEqualTo(openAi + 1);
        assertThat(simulator.requestCount(Protocol.ANTHROPIC)).isEqualTo(anthropic + 2);
        assertThat(simulator.requestCount(Protocol.OLLAMA)).isEqualTo(ollama + 1);
        assertThat(simulator.requestCount()).isEqualTo(total + 4);
    }

    @Test
    void shouldRecordTheLastRequestWithoutShowingHeaderValues() throws Exception {
        String body = chat(Protocol.ANTHROPIC).toString();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(simulator.chatUrl(Protocol.ANTHROPIC)))
                        .header("Content-Type", "application/json")
                        .header("X-Api-Key", "sk-ant-secret")
                        .header("Anthropic-Version", ProtocolFixtures.ANTHROPIC_VERSION)
                        .header("Idempotency-Key", "turn-42")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();

        ProtocolFixtures.send(http, request);

        RecordedRequest last = simulator.lastRequest().orElseThrow();
        assertThat(last.protocol()).isEqualTo(Protocol.ANTHROPIC);
        assertThat(last.bodyLength()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(last.header("x-api-key")).hasValue("sk-ant-secret");
        assertThat(last.header("IDEMPOTENCY-KEY")).hasValue("turn-42");
        assertThat(last.header("authorization")).isEmpty();
        assertThat(last.headers()).containsKeys("anthropic-version", "content-type");
        assertThat(last.headers().keySet()).allMatch(name -> name.equals(name.toLowerCase()));
        assertThat(simulator.lastRequestHeaders()).isEqualTo(last.headers());
        assertThat(last.toString()).contains("x-api-key").doesNotContain("secret", "turn-42");
    }

    @Test
    void shouldRecordAnOpenAiAuthorizationHeader() throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create(simulator.chatUrl(Protocol.OPENAI)))
                        .header("Authorization", "Bearer sk-openai")
                        .POST(HttpRequest.BodyPublishers.ofString(chat(Protocol.OPENAI).toString()))
                        .build();

        ProtocolFixtures.send(http, request);

        assertThat(simulator.lastRequest().orElseThrow().protocol()).isEqualTo(Protocol.OPENAI);
        assertThat(simulator.lastRequest().orElseThrow().header("authorization"))
                .hasValue("Bearer sk-openai");
    }

    @Test
    void shouldServeEachProtocolOnItsOwnPath() {
        assertThat(simulator.chatUrl(Protocol.OPENAI))
                .isEqualTo(simulator.baseUrl() + "/chat/completions");
        assertThat(simulator.chatUrl(Protocol.ANTHROPIC))
                .isEqualTo(simulator.rootUrl() + "/v1/messages");
        assertThat(simulator.chatUrl(Protocol.OLLAMA)).isEqualTo(simulator.rootUrl() + "/api/chat");
    }

    // ------------------------------------------------------------------------

    private static HttpResponse<String> post(Protocol protocol, JsonNode request) throws Exception {
        return ProtocolFixtures.send(http, ProtocolFixtures.request(simulator, protocol, request));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return ProtocolFixtures.send(
                http, HttpRequest.newBuilder(URI.create(simulator.rootUrl() + path)).GET().build());
    }
}
