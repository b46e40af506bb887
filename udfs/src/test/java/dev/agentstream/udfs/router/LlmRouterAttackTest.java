package dev.agentstream.udfs.router;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.testutils.MetricListener;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmClientFactory;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.ScriptedProvider;
import dev.agentstream.udfs.router.LlmRouterFactory.BackendSpec;
import dev.agentstream.udfs.router.LlmRouterFactory.BreakerSettings;
import dev.agentstream.udfs.turn.Turn;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The router against input and load it was not written for: completion limits that overflow the
 * token count, loads that change while a turn is being ordered, failures delivered on a client's
 * I/O thread, empty prompts, backends sharing a name and job-wide limits at the top of an int.
 */
class LlmRouterAttackTest {

    private static final RetryPolicy NO_RETRIES = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);

    @Test
    void shouldNotSendACompletionLimitSoLargeThatTheTokenCountOverflows() {
        ScriptedProvider small = ScriptedProvider.answering();
        LlmRouter router = router(Strategy.FAILOVER, route("small", small, 1_000));
        Turn turn = Fixtures.turn();
        turn.maxTokens = Integer.MAX_VALUE; // e.g. -D llm.max-tokens=2147483647

        assertThatThrownBy(() -> get(router.complete(turn)))
                .hasCauseInstanceOf(LlmCallException.class)
                .hasMessageContaining("largest window is 1000");
        assertThat(small.calls()).as("a prompt no window holds was sent").isZero();
    }

    @Test
    void shouldFailAnEmptyPromptThroughTheFutureInsteadOfThrowing() {
        LlmRouter router =
                router(Strategy.FAILOVER, route("tiny", ScriptedProvider.answering(), 10));
        Turn empty = Fixtures.turn();
        empty.maxTokens = 50;
        empty.messages = new dev.agentstream.udfs.turn.ChatMessage[0];

        CompletableFuture<LlmReply> call = router.complete(empty);

        assertThatThrownBy(() -> get(call)).hasCauseInstanceOf(LlmCallException.class);
    }

    @Test
    void shouldOrderLeastLoadedBackendsWhileTheirLoadsChangeUnderTheSort() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            routes.add(route("b" + i, provider, 0));
        }
        LlmRouter router =
                new LlmRouter(routes, NO_RETRIES, Strategy.LEAST_LOADED, RouterMetrics.NONE);
        get(router.complete(Fixtures.turn())); // the tokenizer is loaded before the clock starts
        // Other turns' calls starting and ending while this subtask orders the next turn.
        AtomicBoolean stop = new AtomicBoolean();
        Thread others =
                new Thread(
                        () -> {
                            ThreadLocalRandom random = ThreadLocalRandom.current();
                            while (!stop.get()) {
                                routes.get(random.nextInt(64)).inFlight().set(random.nextInt(4));
                            }
                        },
                        "other-turns");
        others.start();
        List<Throwable> thrown = new ArrayList<>();
        int turns = 0;
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < end && thrown.isEmpty()) {
                try {
                    turns++;
                    router.complete(Fixtures.turn()).get(5, TimeUnit.SECONDS);
                } catch (RuntimeException | ExecutionException e) {
                    thrown.add(e);
                }
            }
        } finally {
            stop.set(true);
            others.join();
        }

        assertThat(thrown).as("of %s turns, failed while ordering the backends", turns).isEmpty();
    }

    @Test
    void shouldNotStartTheFallbackOnTheThreadThatDeliveredTheFailure() throws Exception {
        // A client completes its future on its own I/O thread; the next backend's call resolves
        // its host name on whichever thread starts it, which blocks.
        ScriptedProvider spent =
                ScriptedProvider.holding()
                        .answer(
                                turn -> {
                                    CompletableFuture<LlmReply> f = new CompletableFuture<>();
                                    Thread io =
                                            new Thread(
                                                    () ->
                                                            f.completeExceptionally(
                                                                    new LlmCallException(
                                                                            429,
                                                                            "spent",
                                                                            "insufficient_quota",
                                                                            0)),
                                                    "provider-io");
                                    io.start();
                                    return f;
                                });
        AtomicReference<String> startedOn = new AtomicReference<>();
        ScriptedProvider fallback =
                ScriptedProvider.answering()
                        .answer(
                                turn -> {
                                    startedOn.set(Thread.currentThread().getName());
                                    return CompletableFuture.completedFuture(
                                            ScriptedProvider.reply("ok", 1, 1));
                                });
        LlmRouter router =
                router(Strategy.FAILOVER, route("spent", spent, 0), route("next", fallback, 0));

        get(router.complete(Fixtures.turn()));

        assertThat(startedOn.get()).isNotEqualTo("provider-io");
        router.close();
    }

    @Test
    void shouldKeepTheMetricsOfTwoBackendsThatShareAName() throws Exception {
        // Two backends of one provider without a name are both called after the provider.
        ScriptedProvider spent = failing(new LlmCallException(429, "x", "insufficient_quota", 0));
        ScriptedProvider good = ScriptedProvider.answering();
        LlmRouterFactory factory =
                new LlmRouterFactory(
                        List.of(
                                new BackendSpec("openai", "m", factoryOf(spent)),
                                new BackendSpec("openai", "m", factoryOf(good))),
                        NO_RETRIES,
                        BreakerSettings.defaults());
        MetricListener metrics = new MetricListener();

        try (var router = factory.create(1, metrics.getMetricGroup())) {
            get(router.complete(Fixtures.turn()));
        }

        long reported = 0;
        for (String name : List.of("openai", "openai#2")) {
            Optional<Counter> attempts = metrics.getCounter("backend", name, "llmAttempts");
            reported += attempts.map(Counter::getCount).orElse(0L);
        }
        assertThat(reported).as("attempts the metrics saw of the two backends").isEqualTo(2);
    }

    @Test
    void shouldTreatAJobWideLimitAtTheTopOfAnIntAsNoTighterThanItIs() throws Exception {
        ScriptedProvider provider = ScriptedProvider.answering();
        int huge = Integer.MAX_VALUE;
        LlmRouterFactory factory =
                new LlmRouterFactory(
                        List.of(
                                new BackendSpec(
                                        "big", "m", factoryOf(provider), huge, huge, 0, huge)),
                        NO_RETRIES,
                        BreakerSettings.defaults());

        try (var router = factory.create(4)) {
            for (int i = 0; i < 5; i++) {
                get(router.complete(Fixtures.turn()));
            }
        }

        assertThat(provider.calls()).isEqualTo(5);
    }

    private static ScriptedProvider failing(LlmCallException e) {
        return ScriptedProvider.answering().answer(turn -> CompletableFuture.failedFuture(e));
    }

    private static LlmClientFactory factoryOf(ScriptedProvider provider) {
        return (LlmClientFactory & java.io.Serializable) () -> provider;
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
