package dev.agentstream.udfs.router;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.llm.LlmCallException;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.ScriptedProvider;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A turn cancelled while its attempt is being made still cancels that attempt. */
class LlmRouterCancelTest {

    @Test
    void shouldCancelAnAttemptMadeWhileItsTurnWasCancelled() throws Exception {
        CountDownLatch retrying = new CountDownLatch(1);
        CountDownLatch cancelled = new CountDownLatch(1);
        CompletableFuture<LlmReply> second = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        ScriptedProvider provider =
                ScriptedProvider.holding()
                        .answer(
                                turn -> {
                                    if (calls.incrementAndGet() == 1) {
                                        return CompletableFuture.failedFuture(
                                                new LlmCallException(503, "overloaded"));
                                    }
                                    // The retry, on the router's own thread: the turn is
                                    // cancelled before this call returns its future.
                                    retrying.countDown();
                                    await(cancelled);
                                    return second;
                                });
        Route route =
                new Route(
                        "a",
                        null,
                        provider,
                        CircuitBreaker.ofDefaults("a"),
                        Admission.of("a", 0, 0),
                        0,
                        new AtomicInteger());
        try (LlmRouter router =
                new LlmRouter(
                        List.of(route),
                        new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1)))) {
            CompletableFuture<LlmReply> result = router.complete(Fixtures.turn());
            assertThat(retrying.await(10, TimeUnit.SECONDS)).as("retried").isTrue();

            result.cancel(true);
            cancelled.countDown();

            second.handle((r, e) -> null).get(10, TimeUnit.SECONDS);
            assertThat(second).isCancelled();
            assertThat(route.inFlight().get()).isZero();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
