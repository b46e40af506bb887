package dev.agentstream.udfs.router;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.ScriptedProvider;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which backend a turn goes to: strategies, context windows, cut histories, metrics. */
class LlmRouterRoutingTest {

    private static final RetryPolicy NO_RETRIES = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);

    @Test
    void shouldAlwaysStartWithTheFirstBackendOnFailover() throws Exception {
        ScriptedProvider a = ScriptedProvider.answering();
        ScriptedProvider b = ScriptedProvider.answering();
        LlmRouter router = router(Strategy.FAILOVER, route("a", a, 0), route("b", b, 0));

        for (int i = 0; i < 6; i++) {
            get(router.complete(Fixtures.turn()));
        }

        assertThat(a.calls()).isEqualTo(6);
        assertThat(b.calls()).isZero();
    }

    @Test
    void shouldSpreadTurnsEvenlyOnRoundRobin() throws Exception {
        ScriptedProvider a = ScriptedProvider.answering();
        ScriptedProvider b = ScriptedProvider.answering();
        ScriptedProvider c = ScriptedProvider.answering();
        LlmRouter router =
                router(Strategy.ROUND_ROBIN, route("a", a, 0), route("b", b, 0), route("c", c, 0));

        for (int i = 0; i < 9; i++) {
            get(router.complete(Fixtures.turn()));
        }

        assertThat(List.of(a.calls(), b.calls(), c.calls())).containsExactly(3, 3, 3);
    }

    @Test
    void shouldSendTheNextTurnToTheLeastLoadedBackend() throws Exception {
        ScriptedProvider a = ScriptedProvider.holding();
        ScriptedProvider b = ScriptedProvider.holding();
        LlmRouter router = router(Strategy.LEAST_LOADED, route("a", a, 0), route("b", b, 0));

        router.complete(Fixtures.turn());
        router.complete(Fixtures.turn());
        router.complete(Fixtures.turn());

        assertThat(a.calls()).isEqualTo(2); // a, b, then a again on the tie
        assertThat(b.calls()).isEqualTo(1);
        a.pending().forEach(f -> f.complete(ScriptedProvider.reply("x", 1, 1)));
        router.complete(Fixtures.turn());
        assertThat(a.calls()).isEqualTo(3);
    }

    @Test
    void shouldSkipABackendWhoseWindowIsTooSmall() throws Exception {
        ScriptedProvider small = ScriptedProvider.answering();
        ScriptedProvider large = ScriptedProvider.answering();
        LlmRouter router =
                router(Strategy.FAILOVER, route("small", small, 150), route("large", large, 0));

        get(router.complete(turnWithHistory(20, 40)));

        assertThat(small.calls()).isZero();
        assertThat(large.calls()).isEqualTo(1);
        assertThat(large.asked().get(0).messages).hasSize(22);
    }

    @Test
    void shouldCutTheOldestHistoryWhenNoWindowHoldsThePrompt() throws Exception {
        ScriptedProvider small = ScriptedProvider.answering();
        LlmRouter router = router(Strategy.FAILOVER, route("small", small, 400));
        Turn turn = turnWithHistory(20, 40);

        get(router.complete(turn));

        Turn sent = small.asked().get(0);
        assertThat(sent.messages.length).isLessThan(turn.messages.length).isGreaterThan(2);
        assertThat(sent.messages[0]).isEqualTo(turn.messages[0]);
        assertThat(sent.messages[sent.messages.length - 1])
                .isEqualTo(turn.messages[turn.messages.length - 1]);
        assertThat(sent.messages[1]).isNotEqualTo(turn.messages[1]); // the oldest went first
        assertThat(ContextFit.tokens(sent, new dev.agentstream.udfs.turn.TokenCounter()))
                .isLessThanOrEqualTo(400);
    }

    @Test
    void shouldFailWhenNotEvenTheInputFitsAnyWindow() {
        LlmRouter router =
                router(Strategy.FAILOVER, route("tiny", ScriptedProvider.answering(), 30));

        assertThatThrownBy(() -> get(router.complete(turnWithHistory(2, 40))))
                .hasCauseInstanceOf(LlmCallException.class)
                .hasMessageContaining("largest window is 30");
    }

    @Test
    void shouldHalveTheHistoryWhenEveryBackendSaysTheContextIsTooLong() throws Exception {
        AtomicInteger n = new AtomicInteger();
        ScriptedProvider provider =
                ScriptedProvider.answering()
                        .answer(
                                turn ->
                                        n.incrementAndGet() == 1
                                                ? CompletableFuture.failedFuture(contextTooLong())
                                                : CompletableFuture.completedFuture(
                                                        ScriptedProvider.reply("ok", 1, 1)));
        LlmRouter router = router(Strategy.FAILOVER, route("only", provider, 0));

        get(router.complete(turnWithHistory(10, 10)));

        assertThat(provider.asked().get(0).messages).hasSize(12);
        assertThat(provider.asked().get(1).messages).hasSize(7); // 5 of 10 history messages
    }

    @Test
    void shouldFallBackOnContextLengthWithoutOpeningTheBreaker() throws Exception {
        ScriptedProvider narrow =
                ScriptedProvider.answering()
                        .answer(turn -> CompletableFuture.failedFuture(contextTooLong()));
        ScriptedProvider wide = ScriptedProvider.answering();
        Route first = route("narrow", narrow, 0);
        LlmRouter router = router(Strategy.FAILOVER, first, route("wide", wide, 0));

        for (int i = 0; i < 10; i++) {
            get(router.complete(Fixtures.turn()));
        }

        assertThat(wide.calls()).isEqualTo(10);
        assertThat(first.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void shouldCountEveryCallOfATurnInItsAnswerOrItsFailure() throws Exception {
        ScriptedProvider quota =
                ScriptedProvider.answering()
                        .answer(
                                turn ->
                                        CompletableFuture.failedFuture(
                                                new LlmCallException(
                                                        429, "x", "insufficient_quota", 0)));
        ScriptedProvider down =
                ScriptedProvider.answering()
                        .answer(
                                turn ->
                                        CompletableFuture.failedFuture(
                                                new LlmCallException(500, "boom")));
        RetryPolicy twoRetries = new RetryPolicy(2, Duration.ZERO, Duration.ZERO);
        LlmRouter answered =
                new LlmRouter(
                        List.of(route("a", quota, 0), route("b", ScriptedProvider.answering(), 0)),
                        twoRetries);
        LlmRouter failing =
                new LlmRouter(List.of(route("a", quota, 0), route("b", down, 0)), twoRetries);

        assertThat(get(answered.complete(Fixtures.turn())).attempts()).isEqualTo(2);
        assertThatThrownBy(() -> get(failing.complete(Fixtures.turn())))
                .cause()
                .isInstanceOfSatisfying(
                        LlmCallException.class, e -> assertThat(e.attempts()).isEqualTo(4));
        assertThatThrownBy(
                        () ->
                                get(
                                        router(Strategy.FAILOVER, route("tiny", quota, 30))
                                                .complete(turnWithHistory(2, 40))))
                .cause()
                .isInstanceOfSatisfying(
                        LlmCallException.class, e -> assertThat(e.attempts()).isZero());
    }

    @Test
    void shouldReportEveryAttemptWithItsErrorClass() throws Exception {
        List<String> events = new ArrayList<>();
        RouterMetrics recording =
                new RouterMetrics() {
                    @Override
                    public synchronized void succeeded(String backend, long nanos) {
                        events.add(backend + ":ok");
                    }

                    @Override
                    public synchronized void failed(String backend, ErrorClass kind, long nanos) {
                        events.add(backend + ":" + kind.metricName());
                    }
                };
        ScriptedProvider down =
                ScriptedProvider.answering()
                        .answer(
                                turn ->
                                        CompletableFuture.failedFuture(
                                                new LlmCallException(
                                                        429, "x", "insufficient_quota", 0)));
        LlmRouter router =
                new LlmRouter(
                        List.of(route("a", down, 0), route("b", ScriptedProvider.answering(), 0)),
                        NO_RETRIES,
                        Strategy.FAILOVER,
                        recording);

        get(router.complete(Fixtures.turn()));

        assertThat(events).containsExactly("a:quota-exhausted", "b:ok");
    }

    private static LlmCallException contextTooLong() {
        return new LlmCallException(400, "too long", "context_length_exceeded", 0);
    }

    /** A system prompt, {@code history} messages of about {@code words} words, and the input. */
    private static Turn turnWithHistory(int history, int words) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(new ChatMessage(ChatMessage.SYSTEM, "You are a test."));
        for (int i = 0; i < history; i++) {
            messages.add(
                    new ChatMessage(
                            i % 2 == 0 ? ChatMessage.USER : ChatMessage.ASSISTANT,
                            ("message " + i + " ").repeat(words / 2)));
        }
        messages.add(new ChatMessage(ChatMessage.USER, "<Greeting>the input</Greeting>"));
        Turn turn = Fixtures.turn();
        turn.maxTokens = 20;
        turn.messages = messages.toArray(new ChatMessage[0]);
        return turn;
    }

    private static LlmRouter router(Strategy strategy, Route... routes) {
        return new LlmRouter(List.of(routes), NO_RETRIES, strategy, RouterMetrics.NONE);
    }

    private static Route route(String name, ScriptedProvider provider, int window) {
        return new Route(
                name,
                null,
                provider,
                CircuitBreaker.ofDefaults(name),
                Admission.of(name, 0, 0),
                window,
                new AtomicInteger());
    }

    private static LlmReply get(CompletableFuture<LlmReply> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }
}
