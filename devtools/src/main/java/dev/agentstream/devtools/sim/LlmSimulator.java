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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stand-in for an LLM provider: a real HTTP server on 127.0.0.1 that answers chat requests
 * deterministically, so that the agents of an organism exchange valid payloads without a real
 * model, a key or a bill. It speaks three protocols, each on its own path:
 *
 * <ul>
 *   <li>OpenAI Chat Completions, {@code POST /v1/chat/completions}.
 *   <li>Anthropic Messages, {@code POST /v1/messages}: {@code anthropic-version} header, {@code
 *       model} and {@code max_tokens} required; the top-level {@code system} (a string or text
 *       blocks) is the system prompt; messages alternate {@code user} and {@code assistant},
 *       starting with {@code user}; content is a string or text blocks. Anything else is a 400
 *       {@code invalid_request_error}, as strict as the real API.
 *   <li>Ollama chat, {@code POST /api/chat}: {@code "stream": false} required (Ollama streams when
 *       it is absent, and the simulator never streams); {@code options.num_predict} limits the
 *       answer.
 * </ul>
 *
 * <p>The answer depends only on the conversation, so the same conversation gets the same text in
 * every protocol (Anthropic's {@code system} counts as the first system message):
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
 * <p>Reply ids are a hash of the model, messages and token limit ({@code chatcmpl-sim-...}, {@code
 * msg_sim_...}). The usage counts o200k_base tokens: each message's content plus 4, plus 3 per
 * prompt for priming the reply. An answer longer than the token limit is cut to that many tokens
 * and says so ({@code length}, {@code max_tokens}). Invalid requests get a 400 in the protocol's
 * error shape, unknown paths an OpenAI-style 404; {@code GET /health} answers 200.
 *
 * <p>Tests steer it with {@link #setLatency}, {@link #setContextWindow} (a prompt over the window
 * gets the provider's context-length error) and scripted {@link Fault}s: {@link #failNext(int,
 * Fault)} or {@link #script} plan error statuses, rate limits with {@code Retry-After} in seconds
 * or as an HTTP-date, spent quotas, context-length errors, connections closed without a reply or in
 * the middle of one, bodies that are not JSON, refusals, tool calls and slow replies, each rendered
 * as the protocol that receives the request would. {@link #requestCount}, {@link #lastRequest} and
 * {@link #recordedRequests} show what clients sent; header values and messages are never logged.
 * Run it standalone with {@code java -cp ... dev.agentstream.devtools.sim.LlmSimulator --port 8089
 * --latency-ms 200}.
 */
public final class LlmSimulator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LlmSimulator.class);

    private static final int HTTP_THREADS = 4;
    private static final int DELAY_THREADS = 2;

    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ScheduledExecutorService delayThreads;
    private final AtomicReference<Duration> latency;
    private final AtomicInteger contextWindow;
    private final FailureInjector failures;
    private final RequestLog requests;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LlmSimulator(
            HttpServer server,
            ExecutorService httpThreads,
            ScheduledExecutorService delayThreads,
            AtomicReference<Duration> latency,
            AtomicInteger contextWindow,
            FailureInjector failures,
            RequestLog requests) {
        this.server = server;
        this.httpThreads = httpThreads;
        this.delayThreads = delayThreads;
        this.latency = latency;
        this.contextWindow = contextWindow;
        this.failures = failures;
        this.requests = requests;
    }

    /**
     * Starts a simulator on 127.0.0.1.
     *
     * @param port the port to listen on, or 0 for an ephemeral one
     */
    public static LlmSimulator start(int port) throws IOException {
        Preconditions.checkArgument(port >= 0 && port <= 65535, "Invalid port %s", port);
        ObjectMapper json = new ObjectMapper();
        Clock clock = Clock.systemUTC();
        AtomicReference<Duration> latency = new AtomicReference<>(Duration.ZERO);
        AtomicInteger contextWindow = new AtomicInteger();
        FailureInjector failures = new FailureInjector();
        RequestLog requests = new RequestLog();
        SimulatedModel model = new SimulatedModel(new TokenCounter());
        List<Dialect> dialects =
                List.of(
                        new OpenAiDialect(json, clock),
                        new AnthropicDialect(json),
                        new OllamaDialect(json, clock));
        List<ChatEndpoint> endpoints = new ArrayList<>();
        for (Dialect dialect : dialects) {
            endpoints.add(new ChatEndpoint(json, dialect, failures, model, contextWindow::get));
        }

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
                "/", new SimulatorHandler(json, endpoints, latency::get, delayThreads, requests));
        server.setExecutor(httpThreads);
        server.start();

        LlmSimulator simulator =
                new LlmSimulator(
                        server,
                        httpThreads,
                        delayThreads,
                        latency,
                        contextWindow,
                        failures,
                        requests);
        LOG.info("LLM simulator listening on {}", simulator.rootUrl());
        return simulator;
    }

    /** The OpenAI base URL, {@code http://127.0.0.1:<port>/v1}, without a trailing slash. */
    public String baseUrl() {
        return rootUrl() + "/v1";
    }

    /**
     * The server's root, {@code http://127.0.0.1:<port>}, without a trailing slash: the base URL of
     * Anthropic and Ollama clients.
     */
    public String rootUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The full URL of {@code protocol}'s chat endpoint. */
    public String chatUrl(Protocol protocol) {
        return rootUrl() + protocol.path();
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
     * Gives the simulated model a context window: a later request whose prompt has more than {@code
     * tokens} tokens gets its provider's context-length error. 0 removes the window.
     */
    public void setContextWindow(int tokens) {
        Preconditions.checkArgument(tokens >= 0, "Context window must not be negative: %s", tokens);
        contextWindow.set(tokens);
    }

    /**
     * Makes the next {@code count} chat requests fail with {@code httpStatus} and the protocol's
     * error body ({@code Retry-After: 1} for 429), whatever they contain. Replaces a pending plan.
     */
    public void failNext(int count, int httpStatus) {
        failNext(count, Fault.status(httpStatus));
    }

    /**
     * Makes the next {@code count} chat requests fail as a provider does when the account's quota
     * is spent, without Retry-After; for OpenAI, HTTP 429 with error type {@code
     * insufficient_quota}. Replaces a pending plan.
     */
    public void failNextQuotaExhausted(int count) {
        failNext(count, Fault.quotaExhausted());
    }

    /**
     * Applies {@code fault} to the next {@code count} chat requests, of whichever protocol.
     * Replaces a pending plan; a count of 0 clears it.
     */
    public void failNext(int count, Fault fault) {
        Preconditions.checkArgument(count >= 0, "Count must not be negative: %s", count);
        Preconditions.checkNotNull(fault, "fault");
        failures.arm(count, fault);
    }

    /**
     * Applies {@code faults} to the next chat requests, one each and in order, of whichever
     * protocol; later requests are answered normally. Replaces a pending plan.
     */
    public void script(Fault... faults) {
        failures.script(List.of(faults));
    }

    /**
     * How many chat requests arrived so far, of every protocol, failed and invalid ones included.
     */
    public int requestCount() {
        return requests.total();
    }

    /** How many chat requests of {@code protocol} arrived so far, failed and invalid included. */
    public int requestCount(Protocol protocol) {
        return requests.count(protocol);
    }

    /** The last chat request that arrived, of any protocol; empty before the first. */
    public Optional<RecordedRequest> lastRequest() {
        return requests.last();
    }

    /**
     * The latest chat requests (at most 4,096), oldest first, bodies included: what a test reads to
     * know which prompts a client sent.
     */
    public List<RecordedRequest> recordedRequests() {
        return requests.recent();
    }

    /** The headers of the last chat request, names in lower case; empty before the first. */
    public Map<String, List<String>> lastRequestHeaders() {
        return requests.last().map(RecordedRequest::headers).orElse(Map.of());
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
