package dev.agentstream.bench.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.bench.harness.ClosedLoop;
import dev.agentstream.bench.harness.RoundPlan;
import dev.agentstream.bench.harness.RoundResult;
import dev.agentstream.bench.harness.Side;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.Response;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The baseline: the chat request posted with a bare async-http-client, configured as the job's
 * OpenAI client configures its own (no retries, the same timeouts), with a pre-encoded body. It
 * either only reads the response's bytes, or also parses them as JSON and takes the answer's text,
 * so that transport and parsing can be told apart.
 */
final class BareHttpSide implements Side {

    /** What the side does with a response. */
    enum Reading {
        BYTES,
        JSON
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final ChatWorkload workload;
    private final Reading reading;
    private final Duration timeout;
    private final Duration drainTimeout;
    private AsyncHttpClient http;

    BareHttpSide(
            String baseUrl,
            ChatWorkload workload,
            Reading reading,
            Duration timeout,
            Duration drainTimeout) {
        this.url = baseUrl + "/chat/completions";
        this.workload = workload;
        this.reading = reading;
        this.timeout = timeout;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public String name() {
        return reading == Reading.BYTES ? "bare-bytes" : "bare-json";
    }

    @Override
    public String description() {
        return reading == Reading.BYTES
                ? "async-http-client POST of the pre-encoded body; reads the response as bytes,"
                        + " checks HTTP 200 and a non-empty body"
                : "as bare-bytes, and parses the body with Jackson (readTree) and checks that"
                        + " choices[0].message.content is non-empty text";
    }

    @Override
    public void open() {
        http =
                Dsl.asyncHttpClient(
                        Dsl.config()
                                .setThreadPoolName("bench-" + name())
                                .setMaxRequestRetry(0)
                                .setConnectTimeout(Duration.ofSeconds(10))
                                .setRequestTimeout(timeout)
                                .setReadTimeout(timeout)
                                .setFollowRedirect(false));
    }

    @Override
    public RoundResult runRound(RoundPlan plan) throws InterruptedException {
        return ClosedLoop.run(plan, this::call, drainTimeout);
    }

    private CompletableFuture<?> call() {
        return http.preparePost(url)
                .setHeader("Content-Type", "application/json")
                .setHeader("Accept", "application/json")
                .setBody(workload.body())
                .execute()
                .toCompletableFuture()
                .thenApply(this::check);
    }

    private Object check(Response response) {
        if (response.getStatusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.getStatusCode());
        }
        byte[] body = response.getResponseBodyAsBytes();
        if (body.length == 0) {
            throw new IllegalStateException("empty body");
        }
        if (reading == Reading.BYTES) {
            return body;
        }
        JsonNode content;
        try {
            content = JSON.readTree(body).path("choices").path(0).path("message").path("content");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!content.isTextual() || content.asText().isEmpty()) {
            throw new IllegalStateException("no answer text in the body");
        }
        return content;
    }

    @Override
    public void close() throws IOException {
        if (http != null) {
            http.close();
        }
    }
}
