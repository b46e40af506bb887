package dev.agentstream.bench.jmh;

import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.LlmClientFactory;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.router.LlmRouterFactory;
import dev.agentstream.udfs.router.LlmRouterFactory.BackendSpec;
import dev.agentstream.udfs.router.LlmRouterFactory.BreakerSettings;
import dev.agentstream.udfs.router.RetryPolicy;
import dev.agentstream.udfs.router.Strategy;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import dev.agentstream.udfs.turn.TurnBuilder;
import org.asynchttpclient.Response;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The CPU one LLM call costs the job around its HTTP exchange, in parts: {@link #route}, the router
 * built as the router-overhead comparison builds it (one backend, failover, breaker defaults, no
 * retries) over a client that answers at once, so that it times strategy order, the prompt's tokens
 * counted for the context windows, admission, the circuit breaker and the futures; {@link
 * #countPromptTokens}, that count alone (jtokkit over every message); {@link #encodeRequest} and
 * {@link #parseReply}, the OpenAI client's JSON on either side of the exchange.
 *
 * <p>Prompts: {@code short}, the router-overhead comparison's request (system prompt with the
 * peers, the customer's payload); {@code window-8k}, the concierge's turn with a full default
 * history window of 8,000 tokens.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouterCpuBenchmark {

    static final int HISTORY_SLOTS = 200;

    @Param({"short", "window-8k"})
    public String prompt;

    private final TokenCounter counter = new TokenCounter();
    private LlmClient router;
    private Turn turn;
    private Response response;
    private String replyText;

    @Setup
    public void open() throws Exception {
        turn = turn(prompt, counter);
        replyText = AgentReplies.text("three-payloads");
        LlmReply reply = AgentReplies.reply(replyText);
        router =
                new LlmRouterFactory(
                                List.of(
                                        new BackendSpec(
                                                "stub",
                                                HelpDesk.MODEL,
                                                new AnsweringClient.Factory(reply))),
                                new RetryPolicy(0, Duration.ZERO, Duration.ZERO),
                                BreakerSettings.defaults(),
                                Strategy.FAILOVER)
                        .create();
        byte[] body =
                OpenAiWire.completion(replyText, (int) counter.promptTokens(turn.messages), 160);
        response = OpenAiWire.response(body);
    }

    @TearDown
    public void close() throws Exception {
        router.close();
    }

    /** The router's own work on one call whose provider answers at once. */
    @Benchmark
    public LlmReply route() {
        return router.complete(turn).join();
    }

    /**
     * The prompt's tokens, counted as the router counts them on every call: from the counts the
     * turn builder put on each message.
     */
    @Benchmark
    public long countPromptTokens() {
        return counter.promptTokens(turn.messages);
    }

    /**
     * The same count with jtokkit over every message's content: what the router, the quota and the
     * context stage each did before messages carried their counts, and still do for a turn restored
     * from an older savepoint.
     */
    @Benchmark
    public long tokenizePrompt() {
        long tokens = TokenCounter.PER_PROMPT_OVERHEAD;
        for (ChatMessage m : turn.messages) {
            tokens += TokenCounter.PER_MESSAGE_OVERHEAD + counter.count(m.content);
        }
        return tokens;
    }

    /** The request body the OpenAI client posts. */
    @Benchmark
    public byte[] encodeRequest() throws Throwable {
        return OpenAiWire.encode(turn);
    }

    /** The OpenAI client's reading of a completion answering with three payloads (~1 KB). */
    @Benchmark
    public LlmReply parseReply() throws Throwable {
        return OpenAiWire.parse(response);
    }

    Turn turn() {
        return turn;
    }

    String replyText() {
        return replyText;
    }

    /** The concierge's turn for {@code kind}: built by the job's turn builder. */
    static Turn turn(String kind, TokenCounter counter) throws Exception {
        Organism organism = HelpDesk.organism();
        int historyTokens;
        List<ContextSlot> slots;
        switch (kind) {
            case "short":
                historyTokens = 1;
                slots = HelpDesk.thread(1, counter);
                break;
            case "window-8k":
                historyTokens = 8000;
                slots = HelpDesk.thread(HISTORY_SLOTS, counter);
                break;
            default:
                throw new IllegalArgumentException("no prompt kind " + kind);
        }
        ContextSlot input = slots.get(slots.size() - 1);
        TurnBuilder builder = new TurnBuilder(organism, historyTokens, 1024, counter);
        Turn built =
                builder.build(
                        HelpDesk.TENANT,
                        organism.listener(HelpDesk.CONCIERGE).orElseThrow(),
                        input,
                        HelpDesk.history(slots, input),
                        HelpDesk.NOW);
        Turn turn = AgentReplies.turn(built.messages);
        turn.maxTokens = built.maxTokens;
        return turn;
    }

    /** A provider client that answers every call at once with the same reply. */
    static final class AnsweringClient implements LlmClient {

        private final CompletableFuture<LlmReply> answer;

        AnsweringClient(LlmReply reply) {
            this.answer = CompletableFuture.completedFuture(reply);
        }

        @Override
        public CompletableFuture<LlmReply> complete(Turn turn) {
            return answer;
        }

        @Override
        public void close() {}

        /** Builds it inside the router, as a provider's factory would. */
        record Factory(LlmReply reply) implements LlmClientFactory {

            @Override
            public LlmClient create() {
                return new AnsweringClient(reply);
            }
        }
    }
}
