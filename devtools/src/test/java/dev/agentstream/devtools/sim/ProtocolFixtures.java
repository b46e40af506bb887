package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One conversation written in each protocol the simulator speaks, and the HTTP plumbing to send it:
 * the same system prompt, one earlier exchange and a payload, with the same token limit.
 */
final class ProtocolFixtures {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "sim-model";
    static final int MAX_TOKENS = 1024;
    static final String ANTHROPIC_VERSION = "2023-06-01";
    static final String GREETING = "<Greeting><name>Ada</name></Greeting>";
    static final String GREETER_PROMPT =
            "You greet people.\n\n"
                    + "You are the agent \"greeter\" of the organism \"hello\".\n"
                    + "Each element goes to the peer that accepts its root tag:\n"
                    + "- shouter: Shouts the greeting in ALL CAPS. Accepts <GreetingResponse>.\n";
    static final String GREETER_ANSWER =
            "<GreetingResponse><message>Hello, Ada! Greetings received."
                    + "</message></GreetingResponse>";

    private ProtocolFixtures() {}

    static HttpClient client() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** The greeter's conversation with {@code payload} as the last user message. */
    static ObjectNode chat(Protocol protocol, String payload) {
        switch (protocol) {
            case ANTHROPIC:
                ObjectNode anthropic =
                        JSON.createObjectNode()
                                .put("model", MODEL)
                                .put("max_tokens", MAX_TOKENS)
                                .put("system", GREETER_PROMPT);
                addTurns(anthropic.putArray("messages"), payload);
                return anthropic;
            case OLLAMA:
                ObjectNode ollama =
                        JSON.createObjectNode().put("model", MODEL).put("stream", false);
                ollama.putObject("options").put("num_predict", MAX_TOKENS);
                addSystemAndTurns(ollama.putArray("messages"), payload);
                return ollama;
            default:
                ObjectNode openAi =
                        JSON.createObjectNode().put("model", MODEL).put("max_tokens", MAX_TOKENS);
                addSystemAndTurns(openAi.putArray("messages"), payload);
                return openAi;
        }
    }

    static ObjectNode chat(Protocol protocol) {
        return chat(protocol, GREETING);
    }

    /** A POST of {@code body} to the protocol's endpoint, with the headers its clients send. */
    static HttpRequest request(LlmSimulator simulator, Protocol protocol, String body) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(simulator.chatUrl(protocol)))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (protocol == Protocol.ANTHROPIC) {
            request.header("anthropic-version", ANTHROPIC_VERSION).header("x-api-key", "sk-test");
        }
        return request.build();
    }

    static HttpRequest request(LlmSimulator simulator, Protocol protocol, JsonNode body) {
        return request(simulator, protocol, body.toString());
    }

    static HttpResponse<String> send(HttpClient http, HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** The answer's text, or null when the protocol's reply carries none. */
    static String answerText(Protocol protocol, JsonNode body) {
        switch (protocol) {
            case ANTHROPIC:
                JsonNode block = body.path("content").path(0);
                return "text".equals(block.path("type").asText())
                        ? block.get("text").asText()
                        : null;
            case OLLAMA:
                return body.path("message").path("content").asText(null);
            default:
                return body.path("choices").path(0).path("message").path("content").asText(null);
        }
    }

    /** The error message of a reply in the protocol's error shape. */
    static String errorMessage(Protocol protocol, JsonNode body) {
        switch (protocol) {
            case OLLAMA:
                return body.path("error").asText();
            default:
                return body.path("error").path("message").asText();
        }
    }

    private static void addSystemAndTurns(ArrayNode messages, String payload) {
        messages.addObject().put("role", "system").put("content", GREETER_PROMPT);
        addTurns(messages, payload);
    }

    private static void addTurns(ArrayNode messages, String payload) {
        messages.addObject().put("role", "user").put("content", "<Hello/>");
        messages.addObject().put("role", "assistant").put("content", "<Hi/>");
        messages.addObject().put("role", "user").put("content", payload);
    }
}
