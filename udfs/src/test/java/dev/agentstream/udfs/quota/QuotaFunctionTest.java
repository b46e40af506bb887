package dev.agentstream.udfs.quota;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;

import dev.agentstream.udfs.llm.TurnResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static dev.agentstream.udfs.quota.QuotaHarness.T0;
import static dev.agentstream.udfs.quota.QuotaHarness.perMinute;
import static dev.agentstream.udfs.quota.QuotaHarness.settings;
import static dev.agentstream.udfs.quota.QuotaHarness.turn;
import static dev.agentstream.udfs.quota.QuotaHarness.usage;
import static org.assertj.core.api.Assertions.assertThat;

class QuotaFunctionTest {

    private static final Duration LONG_WAIT = Duration.ofMinutes(5);
    private static final Duration SHORT_WAIT = Duration.ofSeconds(30);

    /** 300 tokens per minute: three turns of 100 per window of a minute. */
    private static final QuotaSettings THREE_PER_MINUTE = settings(perMinute(300, LONG_WAIT));

    static Stream<StateBackend> backends() {
        return Stream.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend());
    }

    @Test
    void shouldLetTurnsThroughWhileTheTenantHasRoom() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            q.turn(turn("acme", "i1", 100));
            q.at(10);
            q.turn(turn("acme", "i2", 100));
            q.turn(turn("acme", "i3", 100));

            assertThat(q.admitted()).containsExactly("i1", "i2", "i3");
            assertThat(q.harness.extractOutputValues())
                    .extracting(t -> t.admittedAt)
                    .containsExactly(T0, T0 + 10, T0 + 10);
            assertThat(q.rejected()).isEmpty();
        }
    }

    @Test
    void shouldHoldATurnOverQuotaUntilTheWindowFreesRoom() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            for (String id : new String[] {"i1", "i2", "i3", "i4"}) {
                q.turn(turn("acme", id, 100));
            }
            assertThat(q.admitted()).containsExactly("i1", "i2", "i3");

            q.at(59_999);
            assertThat(q.admitted()).hasSize(3);

            q.at(60_000);
            assertThat(q.admitted()).containsExactly("i1", "i2", "i3", "i4");
            assertThat(q.harness.extractOutputValues().get(3).admittedAt).isEqualTo(T0 + 60_000);
            assertThat(q.rejected()).isEmpty();
        }
    }

    @Test
    void shouldRejectATurnThatWaitedPastItsMaxWait() throws Exception {
        try (var q = new QuotaHarness(settings(perMinute(300, SHORT_WAIT)))) {
            q.at(0);
            for (String id : new String[] {"i1", "i2", "i3", "i4"}) {
                q.turn(turn("acme", id, 100));
            }
            q.at(SHORT_WAIT.toMillis() - 1);
            assertThat(q.rejected()).isEmpty();

            q.at(SHORT_WAIT.toMillis());

            assertThat(q.admitted()).containsExactly("i1", "i2", "i3");
            assertThat(q.rejected())
                    .singleElement()
                    .satisfies(
                            r -> {
                                assertThat(r.status).isEqualTo(TurnResult.REJECTED);
                                assertThat(r.turn.inputEnvelopeId).isEqualTo("i4");
                                assertThat(r.turn.admittedAt).isEqualTo(T0 + 30_000);
                                assertThat(r.error)
                                        .startsWith("quota exceeded: tenant acme")
                                        .contains("300 tokens per minute")
                                        .contains("quota.max-wait");
                                assertThat(r.promptTokens + r.completionTokens).isZero();
                            });
            // Nothing waits any more, and the window frees the rest in due time.
            q.at(60_000 + 600_000);
            assertThat(q.harness.numKeyedStateEntries()).isZero();
            assertThat(q.harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void shouldRejectAtOnceATurnThatCouldNeverFit() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            q.turn(turn("acme", "huge", 301));

            assertThat(q.admitted()).isEmpty();
            assertThat(q.rejected())
                    .singleElement()
                    .satisfies(r -> assertThat(r.error).contains("estimated 301 tokens"));
        }
    }

    @Test
    void shouldSettleWithTheActualUsageAndLetTheNextTurnGo() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            for (String id : new String[] {"i1", "i2", "i3"}) {
                q.turn(turn("acme", id, 100));
            }
            q.turn(turn("acme", "i4", 80));
            q.turn(turn("acme", "i5", 100));
            assertThat(q.admitted()).hasSize(3);

            // i1 used 20 of its 100: room for i4's 80, not for i5's 100.
            q.at(1_000);
            q.usage(usage("acme", "i1", TurnResult.OK, 20));
            assertThat(q.admitted()).containsExactly("i1", "i2", "i3", "i4");

            // i2 was a cache hit: it settles to 0, and i5 goes.
            q.at(2_000);
            var hit = usage("acme", "i2", TurnResult.OK, 0);
            hit.cacheHit = true;
            q.usage(hit);
            assertThat(q.admitted()).containsExactly("i1", "i2", "i3", "i4", "i5");
            assertThat(q.harness.extractOutputValues().get(4).admittedAt).isEqualTo(T0 + 2_000);

            // Settled once only: the same record again frees nothing.
            q.usage(usage("acme", "i1", TurnResult.OK, 20));
            q.turn(turn("acme", "i6", 100));
            assertThat(q.admitted()).hasSize(5);
        }
    }

    @Test
    void shouldSettleFailedAndRejectedTurnsToNothing() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            for (String id : new String[] {"i1", "i2", "i3", "i4", "i5"}) {
                q.turn(turn("acme", id, 100));
            }
            q.usage(usage("acme", "i1", TurnResult.FAILED, 0));
            q.usage(usage("acme", "i2", TurnResult.REJECTED, 0));

            assertThat(q.admitted()).containsExactly("i1", "i2", "i3", "i4", "i5");
        }
    }

    @Test
    void shouldIgnoreUsageOfTurnsItNeverReserved() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            q.usage(usage("acme", "elsewhere", TurnResult.OK, 50));
            q.usage(usage("nobody", "other", TurnResult.OK, 50));

            assertThat(q.harness.numKeyedStateEntries()).isZero();
            assertThat(q.admitted()).isEmpty();
        }
    }

    @Test
    void shouldKeepEveryTurnInOrderBehindTheFirstWaitingOne() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            q.turn(turn("acme", "i1", 250));
            q.turn(turn("acme", "big", 100));
            // 50 tokens are free, but the small turn waits behind the big one.
            q.turn(turn("acme", "small", 40));
            assertThat(q.admitted()).containsExactly("i1");

            q.usage(usage("acme", "i1", TurnResult.OK, 150));

            assertThat(q.admitted()).containsExactly("i1", "big", "small");
        }
    }

    @Test
    void shouldHoldTenantsApart() throws Exception {
        QuotaTable table =
                new QuotaTable(
                        perMinute(300, LONG_WAIT), Map.of("small", perMinute(100, SHORT_WAIT)));
        QuotaSettings settings =
                new QuotaSettings(
                        Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofMinutes(10), table);
        try (var q = new QuotaHarness(settings)) {
            q.at(0);
            q.turn(turn("acme", "a1", 100));
            q.turn(turn("acme", "a2", 100));
            q.turn(turn("acme", "a3", 100));
            q.turn(turn("acme", "a4", 100));
            q.turn(turn("small", "s1", 100));
            q.turn(turn("small", "s2", 100));
            q.turn(turn("other", "o1", 100));

            assertThat(q.admitted()).containsExactly("a1", "a2", "a3", "s1", "o1");

            q.at(SHORT_WAIT.toMillis());
            // small's own max wait is up; acme's turn still waits for its window.
            assertThat(q.rejected()).extracting(r -> r.turn.inputEnvelopeId).containsExactly("s2");
            q.at(60_000);
            assertThat(q.admitted()).endsWith("a4");
        }
    }

    @Test
    void shouldHoldTheBudgetPerPeriodAndStartEachPeriodEmpty() throws Exception {
        // 250 tokens per minute-long period, no rate limit.
        QuotaSettings settings = settings(new QuotaLimits(0, 250, Duration.ofMinutes(2)));
        try (var q = new QuotaHarness(settings)) {
            q.at(0);
            for (String id : new String[] {"i1", "i2", "i3", "i4"}) {
                q.turn(turn("acme", id, 100));
            }
            assertThat(q.admitted()).containsExactly("i1", "i2");

            q.at(5_000);
            q.usage(usage("acme", "i1", TurnResult.OK, 30));
            assertThat(q.admitted()).containsExactly("i1", "i2", "i3");

            q.at(60_000);
            assertThat(q.admitted()).containsExactly("i1", "i2", "i3", "i4");
            assertThat(q.rejected()).isEmpty();
        }
    }

    @Test
    void shouldDropAReservationNoUsageSettlesAndKeepItCharged() throws Exception {
        QuotaSettings settings =
                new QuotaSettings(
                        Duration.ofMinutes(1),
                        Duration.ofHours(1),
                        Duration.ofMinutes(10),
                        QuotaTable.of(new QuotaLimits(0, 250, Duration.ZERO)));
        try (var q = new QuotaHarness(settings)) {
            q.at(0);
            q.turn(turn("acme", "lost", 100));

            q.at(Duration.ofMinutes(10).toMillis());
            // Gone from state, still charged: its usage record would settle nothing now.
            q.usage(usage("acme", "lost", TurnResult.OK, 10));
            q.turn(turn("acme", "i2", 100));
            q.turn(turn("acme", "i3", 100));

            assertThat(q.admitted()).containsExactly("lost", "i2");
            assertThat(q.rejected())
                    .singleElement()
                    .satisfies(r -> assertThat(r.error).contains("quota.budget-tokens"));
        }
    }

    @Test
    void shouldLetEveryTurnThroughWithoutStateWhenNoQuotaIsSet() throws Exception {
        try (var q = new QuotaHarness(QuotaSettings.none())) {
            q.at(0);
            for (int i = 0; i < 50; i++) {
                q.turn(turn("acme", "i" + i, 10_000));
            }
            q.usage(usage("acme", "i1", TurnResult.OK, 10_000));

            assertThat(q.admitted()).hasSize(50);
            assertThat(q.harness.extractOutputValues())
                    .allSatisfy(t -> assertThat(t.admittedAt).isEqualTo(T0));
            assertThat(q.harness.numKeyedStateEntries()).isZero();
            assertThat(q.harness.numProcessingTimeTimers()).isZero();
        }
    }

    @Test
    void shouldLetATenantWithoutLimitsThroughBesideOnesWithLimits() throws Exception {
        QuotaTable table =
                new QuotaTable(
                        perMinute(100, SHORT_WAIT),
                        Map.of("free", new QuotaLimits(0, 0, SHORT_WAIT)));
        QuotaSettings settings =
                new QuotaSettings(
                        Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofMinutes(10), table);
        try (var q = new QuotaHarness(settings)) {
            q.at(0);
            for (int i = 0; i < 5; i++) {
                q.turn(turn("free", "f" + i, 100));
                q.turn(turn("acme", "a" + i, 100));
            }

            assertThat(q.admitted()).containsExactly("f0", "a0", "f1", "f2", "f3", "f4");
            // acme is one key, decided in one place; free's turns spread by thread.
            assertThat(new QuotaKeys(table).of("free", "t")).isEqualTo("free/t");
            assertThat(new QuotaKeys(table).of("acme", "t")).isEqualTo("acme");
        }
    }

    @Test
    void shouldLeaveNoStateOnceEverythingIsSettledAndOutOfTheWindow() throws Exception {
        try (var q = new QuotaHarness(THREE_PER_MINUTE)) {
            q.at(0);
            q.turn(turn("acme", "i1", 100));
            q.turn(turn("acme", "i2", 100));
            q.usage(usage("acme", "i1", TurnResult.OK, 60));
            q.usage(usage("acme", "i2", TurnResult.OK, 60));

            q.at(60_000);

            assertThat(q.harness.numKeyedStateEntries()).isZero();
            assertThat(q.harness.numProcessingTimeTimers()).isZero();
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldRestoreReservationsAndWaitingTurnsFromASnapshot(StateBackend backend)
            throws Exception {
        OperatorSubtaskState checkpoint;
        try (var before = new QuotaHarness(THREE_PER_MINUTE, backend, null)) {
            before.at(0);
            for (String id : new String[] {"i1", "i2", "i3", "i4", "i5"}) {
                before.turn(turn("acme", id, 100));
            }
            assertThat(before.admitted()).containsExactly("i1", "i2", "i3");
            checkpoint = before.snapshot();
        }

        try (var after = new QuotaHarness(THREE_PER_MINUTE, backend, checkpoint)) {
            after.at(1_000);
            // The reservation of i1 came back with the state: its usage settles it.
            after.usage(usage("acme", "i1", TurnResult.OK, 0));
            assertThat(after.admitted()).containsExactly("i4");

            // The timer of the waiting i5 came back too.
            after.at(60_000);
            assertThat(after.admitted()).containsExactly("i4", "i5");
            assertThat(after.rejected()).isEmpty();
        }
    }
}
