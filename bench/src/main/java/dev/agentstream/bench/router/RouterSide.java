package dev.agentstream.bench.router;

import dev.agentstream.bench.harness.ClosedLoop;
import dev.agentstream.bench.harness.RoundPlan;
import dev.agentstream.bench.harness.RoundResult;
import dev.agentstream.bench.harness.Side;
import dev.agentstream.udfs.llm.LlmClient;
import dev.agentstream.udfs.llm.OpenAiChatClientFactory;
import dev.agentstream.udfs.router.LlmRouterFactory;
import dev.agentstream.udfs.router.LlmRouterFactory.BackendSpec;
import dev.agentstream.udfs.router.LlmRouterFactory.BreakerSettings;
import dev.agentstream.udfs.router.RetryPolicy;
import dev.agentstream.udfs.router.Strategy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The job's path to a provider: the {@link LlmClient} that {@link LlmRouterFactory} builds over one
 * OpenAI backend, as the {@code llm-call} stage uses it. A call includes the router (strategy,
 * token count of the prompt for the context windows, circuit breaker, admission), encoding the turn
 * as JSON with its idempotency key, the HTTP exchange, and parsing the reply into an {@code
 * LlmReply}; it checks that the reply has text.
 */
final class RouterSide implements Side {

    /**
     * No retries: a failure is counted, not hidden behind a second attempt. A successful call never
     * reads the retry policy, so the measured path is the job's.
     */
    static final RetryPolicy NO_RETRIES = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);

    private final LlmRouterFactory factory;
    private final ChatWorkload workload;
    private final Duration drainTimeout;
    private LlmClient router;

    RouterSide(String baseUrl, ChatWorkload workload, Duration timeout, Duration drainTimeout) {
        this.factory =
                new LlmRouterFactory(
                        List.of(
                                new BackendSpec(
                                        "simulator",
                                        ChatWorkload.MODEL,
                                        new OpenAiChatClientFactory(baseUrl, "", timeout))),
                        NO_RETRIES,
                        BreakerSettings.defaults(),
                        Strategy.FAILOVER);
        this.workload = workload;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public String name() {
        return "router";
    }

    @Override
    public String description() {
        return "LlmRouterFactory(one OpenAI backend, failover, breaker defaults, no retries)"
                + ".create().complete(turn): routing, prompt token count, JSON encoding,"
                + " HTTP, reply parsing; checks non-empty reply text";
    }

    @Override
    public void open() {
        router = factory.create();
    }

    @Override
    public RoundResult runRound(RoundPlan plan) throws InterruptedException {
        return ClosedLoop.run(plan, this::call, drainTimeout);
    }

    private CompletableFuture<?> call() {
        return router.complete(workload.turn())
                .thenApply(
                        reply -> {
                            if (reply.text() == null || reply.text().isEmpty()) {
                                throw new IllegalStateException("empty reply text");
                            }
                            return reply;
                        });
    }

    @Override
    public void close() throws Exception {
        if (router != null) {
            router.close();
        }
    }
}
