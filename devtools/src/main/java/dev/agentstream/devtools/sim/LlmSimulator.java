package dev.agentstream.devtools.sim;

import org.apache.flink.util.Preconditions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in for an OpenAI-compatible LLM provider: a real HTTP server on 127.0.0.1 that answers
 * {@code POST /v1/chat/completions} deterministically, so that the agents of an organism exchange
 * valid payloads without a real model, a key or a bill.
 *
 * <p>The answer depends only on the request:
 *
 * <ul>
 *   <li>The peers are the lines of the first {@code system} message of the form {@code - shouter:
 *       Shouts the greeting. Accepts <GreetingResponse>.}, as the job writes them.
 *   <li>The quoted text is the text content of the last {@code user} message: tags dropped,
 *       references resolved, whitespace collapsed, cut to 200 code points.
 *   <li>With at least one peer, the answer is a single element of the first peer's root tag, e.g.
 *       {@code <GreetingResponse><message>Hello, Ada! Greetings received.</message>
 *       </GreetingResponse>} for the payload {@code <Greeting><name>Ada</name></Greeting>}; the
 *       text is XML-escaped and there is no prose or code fence around it.
 *   <li>Without peers, the answer is one prose sentence without markup that quotes the text.
 *   <li>When the last {@code user} message is a {@code <reply>} or a {@code <huh>} (what comes back
 *       from a call), the answer is prose that quotes it, peers or not, so that an agent reports an
 *       answer instead of calling again.
 * </ul>
 *
 * <p>The reply id is {@code chatcmpl-sim-} and a hash of the model, messages and token limit. The
 * usage counts o200k_base tokens: each message's content plus 4, plus 3 per prompt for priming the
 * reply. An answer longer than {@code max_completion_tokens} or {@code max_tokens} is cut to that
 * many tokens with {@code finish_reason} {@code length}, as a provider would. Invalid requests get
 * a 400 and unknown paths a 404, with OpenAI-style error bodies; {@code GET /health} answers 200.
 *
 * <p>Tests steer it with {@link #setLatency} and {@link #failNext}. Run it standalone with {@code
 * java -cp ... dev.agentstream.devtools.sim.LlmSimulator --port 8089 --latency-ms 200}.
 */
public final class LlmSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LlmSimulator.class);

    private static final int HTTP_THREADS = 4;
    private static final int DELAY_THREADS = 2;

    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService delayThreads;
    private final AtomicReference<Duration> latency;
    private final FailureInjector failures;
    private final AtomicInteger chatRequests;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LlmSimulator(
            HttpServer server,
            ExecutorService httpThreads,
            ScheduledExecutorService delayThreads,
            AtomicReference<Duration> latency,
            FailureInjector failures,
            AtomicInteger chatRequests) {
        this.server = server;
        this.httpThreads = httpThreads;
        this.delayThreads = delayThreads;
        this.latency = latency;
        this.failures = failures;
        this.chatRequests = chatRequests;
    }

    /**
     * Starts a simulator on 127.0.0.1.
     *
     * @param port the port to listen on, or 0 for an ephemeral one
     */
    public static LlmSimulator start(int port) throws IOException {
        Preconditions.checkArgument(port >= 0 && port <= 65535, "Invalid port %s", port);
        ObjectMapper json = new ObjectMapper();
        AtomicReference<Duration> latency = new AtomicReference<>(Duration.ZERO);
        FailureInjector failures = new FailureInjector();
        AtomicInteger chatRequests = new AtomicInteger();
        ChatEndpoint chat =
                new ChatEndpoint(
                        json,
                        failures,
                        new ChatCompletions(json, new TokenCounter(), Clock.systemUTC()));

        ExecutorService httpThreads =
                Executors.newFixedThreadPool(HTTP_THREADS, new NamedDaemonThreads("llm-sim-http"));
        ScheduledExecutorService delayThreads =
                Executors.newScheduledThreadPool(
                        DELAY_THREADS, new NamedDaemonThreads("llm-sim-delay"));
        HttpServer server;
        try {
            server =
                    HttpServer.create(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            httpThreads.shutdownNow();
            delayThreads.shutdownNow();
            throw e;
        }
        server.createContext(
                "/", new SimulatorHandler(json, chat, latency::get, delayThreads, chatRequests));
        server.setExecutor(httpThreads);
        server.start();

        LlmSimulator simulator =
                new LlmSimulator(
                        server, httpThreads, delayThreads, latency, failures, chatRequests);
        LOG.info("LLM simulator listening on {}", simulator.baseUrl());
        return simulator;
    }

    /** The OpenAI base URL, {@code http://127.0.0.1:<port>/v1}, without a trailing slash. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Delays every later chat reply, failures included, by {@code delay}; zero for none. */
    public void setLatency(Duration delay) {
        Preconditions.checkArgument(!delay.isNegative(), "Latency must not be negative: %s", delay);
        latency.set(delay);
    }

    /**
     * Makes the next {@code count} chat requests fail with {@code httpStatus} and an OpenAI-style
     * error body ({@code Retry-After: 1} for 429), whatever they contain. Replaces a pending plan.
     */
    public void failNext(int count, int httpStatus) {
        Preconditions.checkArgument(count >= 0, "Count must not be negative: %s", count);
        Preconditions.checkArgument(
                httpStatus >= 400 && httpStatus <= 599, "Not an error status: %s", httpStatus);
        failures.arm(count, httpStatus);
    }

    /**
     * Makes the next {@code count} chat requests fail as a provider does when the account's quota
     * is spent: HTTP 429 with error type {@code insufficient_quota}, no Retry-After.
     */
    public void failNextQuotaExhausted(int count) {
        Preconditions.checkArgument(count >= 0, "Count must not be negative: %s", count);
        failures.arm(count, OpenAiError.QUOTA_EXHAUSTED);
    }

    /** How many chat completion requests arrived so far, failed and invalid ones included. */
    public int requestCount() {
        return chatRequests.get();
    }

    /** Stops listening at once; replies still waiting for their latency are dropped. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        delayThreads.shutdownNow();
        httpThreads.shutdownNow();
        LOG.info("LLM simulator on port {} stopped", port());
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new LlmSimulatorCommand()).execute(args));
    }
}
