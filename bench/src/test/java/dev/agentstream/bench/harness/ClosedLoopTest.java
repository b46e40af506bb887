package dev.agentstream.bench.harness;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClosedLoopTest {

    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration DRAIN = Duration.ofSeconds(5);

    @Test
    void shouldStopAtTheRequestBudget() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        RoundResult result =
                ClosedLoop.run(
                        new RoundPlan(LONG, 1_000, 4),
                        () -> {
                            calls.incrementAndGet();
                            return CompletableFuture.completedFuture("ok");
                        },
                        DRAIN);

        assertThat(calls).hasValue(1_000);
        assertThat(result.requests()).isEqualTo(1_000);
        assertThat(result.errors()).isZero();
        assertThat(result.throughput()).isPositive();
    }

    @Test
    void shouldKeepTheRequestsInFlightOnOtherThreads() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();

        RoundResult result =
                ClosedLoop.run(
                        new RoundPlan(LONG, 200, 8),
                        () -> {
                            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            return CompletableFuture.supplyAsync(
                                    () -> inFlight.decrementAndGet(),
                                    CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
                        },
                        DRAIN);

        assertThat(result.requests()).isEqualTo(200);
        assertThat(most.get()).isBetween(2, 8);
        assertThat(result.p50Nanos()).isPositive();
    }

    @Test
    void shouldCountFailuresAndKeepTheFirst() throws Exception {
        AtomicInteger calls = new AtomicInteger();

        RoundResult result =
                ClosedLoop.run(
                        new RoundPlan(LONG, 100, 2),
                        () ->
                                calls.incrementAndGet() % 10 == 0
                                        ? CompletableFuture.failedFuture(
                                                new IllegalStateException("HTTP 503"))
                                        : CompletableFuture.completedFuture("ok"),
                        DRAIN);

        assertThat(result.requests()).isEqualTo(90);
        assertThat(result.errors()).isEqualTo(10);
        assertThat(result.firstError()).isEqualTo("IllegalStateException: HTTP 503");
    }

    @Test
    void shouldEndARoundAtItsDeadline() throws Exception {
        RoundResult result =
                ClosedLoop.run(
                        new RoundPlan(Duration.ofMillis(100), Long.MAX_VALUE, 2),
                        () -> CompletableFuture.completedFuture("ok"),
                        DRAIN);

        assertThat(result.requests()).isPositive();
        // The round lasts until its last request ends, which may be just before the deadline
        // that stopped the next one from starting; never long past it.
        assertThat(result.elapsedNanos()).isBetween(90_000_000L, 5_000_000_000L);
    }

    @Test
    void shouldFailWhenARequestNeverCompletes() {
        assertThatThrownBy(
                        () ->
                                ClosedLoop.run(
                                        new RoundPlan(Duration.ofMillis(50), 10, 1),
                                        CompletableFuture::new,
                                        Duration.ofMillis(100)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("still in flight");
    }
}
