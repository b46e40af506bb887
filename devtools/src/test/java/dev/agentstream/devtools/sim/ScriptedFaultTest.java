package dev.agentstream.devtools.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.agentstream.devtools.sim.Protocol.ANTHROPIC;
import static dev.agentstream.devtools.sim.Protocol.OLLAMA;
import static dev.agentstream.devtools.sim.Protocol.OPENAI;
import static dev.agentstream.devtools.sim.ProtocolFixtures.GREETER_ANSWER;
import static dev.agentstream.devtools.sim.ProtocolFixtures.JSON;
import static dev.agentstream.devtools.sim.ProtocolFixtures.answerText;
import static dev.agentstream.devtools.sim.ProtocolFixtures.chat;
import static dev.agentstream.devtools.sim.ProtocolFixtures.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Each {@link Fault}, armed for three requests and sent one request of each protocol, as a real
 * client sees it over loopback HTTP.
 */
class ScriptedFaultTest {

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
        simulator.setLatency(Duration.ZERO);
    }

    @Test
    void shouldRenderAnErrorStatusInEachProtocolsShape() throws Exception {
        Map<Protocol, HttpResponse<String>> replies = eachProtocolWith(Fault.status(503));

        assertThat(replies.values()).allMatch(r -> r.statusCode() == 503);
        assertThat(error(OPENAI, replies).path("type").asText()).isEqualTo("server_error");
        assertThat(json(replies.get(ANTHROPIC)).path("type").asText()).isEqualTo("error");
        assertThat(error(ANTHROPIC, replies).path("type").asText()).isEqualTo("api_error");
        assertThat(json(replies.get(OLLAMA)).path("error").asText()).contains("503");
        assertThat(replies.values()).allMatch(r -> r.headers().firstValue("Retry-After").isEmpty());
    }

    @Test
    void shouldRender529AsAnthropicsOverloadedError() throws Exception {
        Map<Protocol, HttpResponse<String>> replies = eachProtocolWith(Fault.status(529));

        assertThat(replies.values()).allMatch(r -> r.statusCode() == 529);
        assertThat(error(ANTHROPIC, replies).path("type").asText()).isEqualTo("overloaded_error");
        assertThat(error(OPENAI, replies).path("type").asText()).isEqualTo("server_error");
        assertThat(json(replies.get(OLLAMA)).path("error").isTextual()).isTrue();
    }

    @Test
    void shouldSendRetryAfterInDelaySeconds() throws Exception {
        Map<Protocol, HttpResponse<String>> replies =
                eachProtocolWith(Fault.rateLimited(Duration.ofMillis(2_500)));

        assertThat(replies.values()).allMatch(r -> r.statusCode() == 429);
        assertThat(replies.values())
                .allMatch(r -> r.headers().firstValue("Retry-After").orElse("").equals("3"));
        assertThat(error(OPENAI, replies).path("type").asText()).isEqualTo("requests");
        assertThat(error(OPENAI, replies).path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(error(ANTHROPIC, replies).path("type").asText()).isEqualTo("rate_limit_error");
        assertThat(json(replies.get(OLLAMA)).path("error").asText()).contains("rate limit");
    }

    @Test
    void shouldSendRetryAfterAsAnHttpDate() throws Exception {
        Instant until = Instant.now().plusSeconds(30);
        Map<Protocol, HttpResponse<String>> replies =
                eachProtocolWith(Fault.rateLimitedUntil(until));

        for (HttpResponse<String> reply : replies.values()) {
            String header = reply.headers().firstValue("Retry-After").orElseThrow();
            assertThat(header)
                    .matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            assertThat(
                            ZonedDateTime.parse(header, DateTimeFormatter.RFC_1123_DATE_TIME)
                                    .toInstant())
                    .isEqualTo(until.truncatedTo(ChronoUnit.SECONDS));
        }
        assertThat(error(ANTHROPIC, replies).path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void shouldKeepRetryAfterOneForAPlain429() throws Exception {
        Map<Protocol, HttpResponse<String>> replies = eachProtocolWith(Fault.status(429));

        assertThat(replies.values())
                .allMatch(r -> r.headers().firstValue("Retry-After").orElse("").equals("1"));
        assertThat(error(ANTHROPIC, replies).path("type").asText()).isEqualTo("rate_limit_error");
    }

    @Test
    void shouldSayTheQuotaIsSpentAsEachProviderDoes() throws Exception {
        Map<Protocol, HttpResponse<String>> replies = eachProtocolWith(Fault.quotaExhausted());

        assertThat(replies.get(OPENAI).statusCode()).isEqualTo(429);
        assertThat(error(OPENAI, replies).path("type").asText()).isEqualTo("insufficient_quota");
        assertThat(error(OPENAI, replies).path("code").asText()).isEqualTo("insufficient_quota");
        assertThat(replies.get(ANTHROPIC).statusCode()).isEqualTo(400);
        assertThat(error(ANTHROPIC, replies).path("type").asText())
                .isEqualTo("invalid_request_error");
        assertThat(error(ANTHROPIC, replies).path("message").asText())
                .startsWith("Your credit balance is too low to access the Anthropic API");
        assertThat(replies.get(OLLAMA).statusCode()).isEqualTo(429);
        assertThat(json(replies.get(OLLAMA)).path("error").asText()).contains("quota");
        assertThat(replies.values()).allMatch(r -> r.headers().firstValue("Retry-After").isEmpty());
    }

    @Test
    void shouldKeepFailNextQuotaExhaustedAsOpenAiSaysIt() throws Exception {
        simulator.failNextQuotaExhausted(1);

        HttpResponse<String> reply = post(OPENAI, chat(OPENAI));

        assertThat(reply.statusCode()).isEqualTo(429);
        assertThat(json(reply).path("error").path("type").asText()).isEqualTo("insufficient_quota");
    }

    @Test
    void shouldSayTheContextIsTooLongAsEachProviderDoes() throws Exception {
        Map<Protocol, HttpResponse<String>> replies =
                eachProtocolWith(Fault.contextLengthExceeded());

        assertThat(replies.values()).allMatch(r -> r.statusCode() == 400);
        JsonNode openAi = error(OPENAI, replies);
        assertThat(openAi.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(openAi.path("code").asText()).isEqualTo("context_length_exceeded");
        assertThat(openAi.path("message").asText())
                .matches("This model's maximum context length is \\d+ tokens\\..*");
        JsonNode anthropic = error(ANTHROPIC, replies);
        assertThat(anthropic.path("type").asText()).isEqualTo("invalid_request_error");
        Matcher tooLong =
                Pattern.compile("prompt is too long: (\\d+) tokens > (\\d+) maximum")
                        .matcher(anthropic.path("message").asText());
        assertThat(tooLong.matches()).isTrue();
        assertThat(Integer.parseInt(tooLong.group(1)))
                .isGreaterThan(Integer.parseInt(tooLong.group(2)));
        assertThat(json(replies.get(OLLAMA)).path("error").asText()).contains("context length");
    }

    @Test
    void shouldAnswerOnlyPromptsThatFitTheContextWindow() throws Exception {
        int fullPrompt =
                json(post(OPENAI, chat(OPENAI))).path("usage").path("prompt_tokens").asInt();
        simulator.setContextWindow(fullPrompt - 1);

        for (Protocol protocol : Protocol.values()) {
            ObjectNode full = chat(protocol);
            ObjectNode trimmed = chat(protocol);
            ArrayNode turns = (ArrayNode) trimmed.get("messages");
            // Drop the earliest exchange, keeping the system prompt and the last user message.
            int firstTurn = protocol == ANTHROPIC ? 0 : 1;
            turns.remove(firstTurn);
            turns.remove(firstTurn);

            HttpResponse<String> tooLong = post(protocol, full);
            HttpResponse<String> fits = post(protocol, trimmed);

            assertThat(tooLong.statusCode()).as("%s, full history", protocol).isEqualTo(400);
            assertThat(ProtocolFixtures.errorMessage(protocol, json(tooLong)))
                    .contains(String.valueOf(fullPrompt), String.valueOf(fullPrompt - 1));
            assertThat(fits.statusCode()).as("%s, trimmed history", protocol).isEqualTo(200);
            assertThat(answerText(protocol, json(fits))).isEqualTo(GREETER_ANSWER);
        }
        simulator.setContextWindow(0);
        assertThat(post(ANTHROPIC, chat(ANTHROPIC)).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldCloseTheConnectionWithoutAResponse() throws Exception {
        simulator.failNext(3, Fault.reset());

        for (Protocol protocol : Protocol.values()) {
            HttpClient fresh = ProtocolFixtures.client();
            assertThatThrownBy(() -> post(fresh, protocol, chat(protocol)))
                    .as(protocol.name())
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(HttpTimeoutException.class);
        }
        assertThat(post(OPENAI, chat(OPENAI)).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldSendHalfABodyUnderAFullContentLength() throws Exception {
        simulator.failNext(3, Fault.truncated());

        for (Protocol protocol : Protocol.values()) {
            HttpClient fresh = ProtocolFixtures.client();
            assertThatThrownBy(() -> post(fresh, protocol, chat(protocol)))
                    .as(protocol.name())
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(HttpTimeoutException.class);
        }
        simulator.failNext(1, Fault.truncated());
        RawReply raw = rawPost(OLLAMA, chat(OLLAMA).toString());
        assertThat(raw.head()).startsWith("HTTP/1.1 200");
        assertThat(raw.contentLength()).isGreaterThan(raw.body().length);
        assertThat(raw.body().length).isEqualTo(raw.contentLength() / 2);
        assertThatThrownBy(() -> JSON.readTree(raw.body()))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void shouldSendABodyThatIsNotJson() throws Exception {
        Map<Protocol, HttpResponse<String>> replies = eachProtocolWith(Fault.malformed());

        for (HttpResponse<String> reply : replies.values()) {
            assertThat(reply.statusCode()).isEqualTo(200);
            assertThatThrownBy(() -> JSON.readTree(reply.body()))
                    .isInstanceOf(JsonProcessingException.class);
        }
    }

    @Test
    void shouldAnswerWithoutTextButWithUsage() throws Exception {
        Map<Protocol, HttpResponse<String>> replies = eachProtocolWith(Fault.nullContent());

        assertThat(replies.values()).allMatch(r -> r.statusCode() == 200);
        JsonNode openAi = json(replies.get(OPENAI));
        JsonNode choice = openAi.path("choices").path(0);
        assertThat(choice.path("message").get("content").isNull()).isTrue();
        assertThat(choice.path("message").path("refusal").asText()).isEqualTo("Simulated refusal.");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("content_filter");
        assertThat(openAi.path("usage").path("prompt_tokens").asInt()).isPositive();
        JsonNode anthropic = json(replies.get(ANTHROPIC));
        assertThat(anthropic.path("stop_reason").asText()).isEqualTo("refusal");
        assertThat(anthropic.path("content")).isEmpty();
        assertThat(anthropic.path("usage").path("input_tokens").asInt()).isPositive();
        JsonNode ollama = json(replies.get(OLLAMA));
        assertThat(ollama.path("message").path("content").asText()).isEmpty();
        assertThat(ollama.path("done_reason").asText()).isEqualTo("stop");
        assertThat(ollama.path("prompt_eval_count").asInt()).isPositive();
    }

    @Test
    void shouldAnswerWithAToolCall() throws Exception {
        Map<Protocol, HttpResponse<String>> replies = eachProtocolWith(Fault.toolCall());

        JsonNode choice = json(replies.get(OPENAI)).path("choices").path(0);
        assertThat(choice.path("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(choice.path("message").get("content").isNull()).isTrue();
        JsonNode call = choice.path("message").path("tool_calls").path(0);
        assertThat(call.path("id").asText()).startsWith("call_sim_");
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.path("function").path("name").asText()).isEqualTo("simulated_tool");
        assertThat(
                        JSON.readTree(call.path("function").path("arguments").asText())
                                .path("answer")
                                .asText())
                .isEqualTo(GREETER_ANSWER);

        JsonNode anthropic = json(replies.get(ANTHROPIC));
        assertThat(anthropic.path("stop_reason").asText()).isEqualTo("tool_use");
        JsonNode toolUse = anthropic.path("content").path(0);
        assertThat(toolUse.path("type").asText()).isEqualTo("tool_use");
        assertThat(toolUse.path("id").asText()).startsWith("toolu_sim_");
        assertThat(toolUse.path("name").asText()).isEqualTo("simulated_tool");
        assertThat(toolUse.path("input").path("answer").asText()).isEqualTo(GREETER_ANSWER);

        JsonNode ollama = json(replies.get(OLLAMA)).path("message");
        JsonNode function = ollama.path("tool_calls").path(0).path("function");
        assertThat(function.path("name").asText()).isEqualTo("simulated_tool");
        assertThat(function.path("arguments").path("answer").asText()).isEqualTo(GREETER_ANSWER);
    }

    @Test
    void shouldDelayOnlyTheSlowRequest() throws Exception {
        Duration delay = Duration.ofMillis(600);
        simulator.script(Fault.slow(delay));

        long started = System.nanoTime();
        HttpResponse<String> slow = post(ANTHROPIC, chat(ANTHROPIC));
        Duration slowTook = Duration.ofNanos(System.nanoTime() - started);
        started = System.nanoTime();
        HttpResponse<String> next = post(ANTHROPIC, chat(ANTHROPIC));
        Duration nextTook = Duration.ofNanos(System.nanoTime() - started);

        assertThat(slow.statusCode()).isEqualTo(200);
        assertThat(answerText(ANTHROPIC, json(slow))).isEqualTo(GREETER_ANSWER);
        assertThat(slowTook).isGreaterThanOrEqualTo(delay);
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(nextTook).isLessThan(delay);
    }

    @Test
    void shouldPlayAScriptInOrderAcrossProtocols() throws Exception {
        simulator.script(
                Fault.status(500), Fault.rateLimited(Duration.ofSeconds(1)), Fault.toolCall());

        assertThat(post(OPENAI, chat(OPENAI)).statusCode()).isEqualTo(500);
        assertThat(post(ANTHROPIC, chat(ANTHROPIC)).statusCode()).isEqualTo(429);
        assertThat(json(post(OLLAMA, chat(OLLAMA))).path("message").has("tool_calls")).isTrue();
        assertThat(answerText(OPENAI, json(post(OPENAI, chat(OPENAI))))).isEqualTo(GREETER_ANSWER);
    }

    @Test
    void shouldReplaceAPendingPlan() throws Exception {
        simulator.failNext(5, Fault.status(500));
        simulator.failNext(1, Fault.malformed());

        assertThatThrownBy(() -> JSON.readTree(post(OLLAMA, chat(OLLAMA)).body()))
                .isInstanceOf(JsonProcessingException.class);
        assertThat(post(OLLAMA, chat(OLLAMA)).statusCode()).isEqualTo(200);

        simulator.script(Fault.status(500), Fault.status(500));
        simulator.failNext(0, Fault.status(500));
        assertThat(post(OPENAI, chat(OPENAI)).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldGiveAnInvalidRequestItsOwnErrorUnderAnAnswerFault() throws Exception {
        simulator.failNext(1, Fault.toolCall());
        ObjectNode invalid = chat(ANTHROPIC);
        invalid.remove("max_tokens");

        HttpResponse<String> rejected = post(ANTHROPIC, invalid);
        HttpResponse<String> next = post(ANTHROPIC, chat(ANTHROPIC));

        assertThat(rejected.statusCode()).isEqualTo(400);
        assertThat(answerText(ANTHROPIC, json(next))).isEqualTo(GREETER_ANSWER);
    }

    @Test
    void shouldRejectInvalidFaults() {
        assertThatThrownBy(() -> Fault.status(302)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.rateLimited(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.slow(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> simulator.failNext(-1, Fault.reset()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> simulator.setContextWindow(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------------

    /** A status line and headers, the declared Content-Length, and the body bytes received. */
    private record RawReply(String head, int contentLength, byte[] body) {}

    /** Arms {@code fault} for three requests and sends one of each protocol, in order. */
    private static Map<Protocol, HttpResponse<String>> eachProtocolWith(Fault fault)
            throws Exception {
        simulator.failNext(3, fault);
        Map<Protocol, HttpResponse<String>> replies = new EnumMap<>(Protocol.class);
        for (Protocol protocol : Protocol.values()) {
            replies.put(protocol, post(protocol, chat(protocol)));
        }
        return replies;
    }

    private static JsonNode error(Protocol protocol, Map<Protocol, HttpResponse<String>> replies)
            throws Exception {
        return json(replies.get(protocol)).path("error");
    }

    private static HttpResponse<String> post(Protocol protocol, JsonNode request) throws Exception {
        return post(http, protocol, request);
    }

    private static HttpResponse<String> post(HttpClient client, Protocol protocol, JsonNode request)
            throws Exception {
        return ProtocolFixtures.send(
                client, ProtocolFixtures.request(simulator, protocol, request));
    }

    /** Posts over a bare socket and reads until the server closes, to see exactly what it sent. */
    private static RawReply rawPost(Protocol protocol, String body) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", simulator.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    ("POST "
                                    + protocol.path()
                                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: "
                                    + content.length
                                    + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readAllBytes();
            String text = new String(reply, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = text.substring(0, end);
            Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$").matcher(head);
            assertThat(length.find()).as("Content-Length in %s", head).isTrue();
            byte[] received = new byte[reply.length - end - 4];
            System.arraycopy(reply, end + 4, received, 0, received.length);
            return new RawReply(head, Integer.parseInt(length.group(1)), received);
        }
    }
}
