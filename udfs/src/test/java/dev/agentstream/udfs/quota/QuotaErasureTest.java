package dev.agentstream.udfs.quota;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;

import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.erasure.ErasureTally;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.agentstream.udfs.quota.QuotaHarness.T0;
import static dev.agentstream.udfs.quota.QuotaHarness.turn;
import static dev.agentstream.udfs.quota.QuotaHarness.usage;
import static org.assertj.core.api.Assertions.assertThat;

/** The quota stage under erasure: the command reaches the tenant's one key as a turn. */
class QuotaErasureTest {

    private static final Duration WAIT = Duration.ofMinutes(5);

    /** Three turns of 100 a minute, and a budget that counts them too. */
    private static final QuotaLimits LIMITS = new QuotaLimits(300, 10_000, WAIT);

    static Stream<StateBackend> backends() {
        return Stream.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldForgetATenantsQuotaAndItsWaitingTurnsWithoutAWordForThem(StateBackend backend)
            throws Exception {
        QuotaTable table = new QuotaTable(LIMITS, Map.of("free", new QuotaLimits(0, 0, WAIT)));
        QuotaSettings settings =
                new QuotaSettings(
                        Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofMinutes(10), table);
        try (var q = new QuotaHarness(settings, backend, null)) {
            q.at(0);
            q.turn(turn("bravo", "b1", 100));
            q.turn(turn("free", "f1", 100));
            q.turn(turn("acme", "a1", 100));
            q.at(10);
            q.turn(turn("acme", "a2", 100));
            q.turn(turn("acme", "a3", 100));
            q.turn(turn("acme", "a4", 100)); // over the rate: it waits
            q.usage(usage("acme", "a2", "ok", 80));
            assertThat(q.admitted()).containsExactly("b1", "f1", "a1", "a2", "a3");
            // acme: a timer for its waiting turn, one to clean up its log; bravo: to clean up.
            assertThat(q.harness.numProcessingTimeTimers()).isEqualTo(3);
            // A tenant without limits holds nothing: its turns are only let through.
            assertThat(keys(q)).containsExactly("acme", "bravo");

            q.erase("acme");

            assertThat(q.parts()).hasSize(1);
            ErasurePart part = q.parts().get(0);
            assertThat(part.stage).isEqualTo(QuotaFunction.ERASURE_STAGE);
            assertThat(part.tenant).isEqualTo("acme");
            assertThat(part.subtask).isZero();
            assertThat(part.subtasks).isEqualTo(1);
            assertThat(new ErasureTally().addAll(part.counts).asMap())
                    .containsExactlyInAnyOrderEntriesOf(
                            Map.of(
                                    "quota-tenants", 1L,
                                    "quota-reservations", 3L,
                                    "quota-turns-waiting", 1L,
                                    "timers", 2L));
            assertThat(keys(q)).containsExactly("bravo");
            assertThat(q.harness.numProcessingTimeTimers()).isEqualTo(1);

            // The waiting turn is gone without a result, past its wait too: no output, no
            // rejection; nothing of the erase command goes on to the call either.
            q.at(WAIT.toMillis() + 1);
            assertThat(q.admitted()).containsExactly("b1", "f1", "a1", "a2", "a3");
            assertThat(q.rejected()).isEmpty();

            // acme starts afresh: a full window's worth goes at once.
            for (String id : new String[] {"a5", "a6", "a7"}) {
                q.turn(turn("acme", id, 100));
            }
            assertThat(q.admitted()).endsWith("a5", "a6", "a7");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldReportAnEmptyPartForATenantWithoutQuotaState(StateBackend backend) throws Exception {
        QuotaTable table = new QuotaTable(LIMITS, Map.of("free", new QuotaLimits(0, 0, WAIT)));
        QuotaSettings settings =
                new QuotaSettings(
                        Duration.ofMinutes(1), Duration.ofDays(1), Duration.ofMinutes(10), table);
        try (var q = new QuotaHarness(settings, backend, null)) {
            q.at(0);
            q.turn(turn("free", "f1", 100));
            q.turn(turn("bravo", "b1", 100));

            q.erase("free");

            assertThat(q.parts())
                    .singleElement()
                    .satisfies(
                            p -> {
                                assertThat(new ErasureTally().addAll(p.counts).asMap())
                                        .containsExactlyInAnyOrderEntriesOf(
                                                Map.of(
                                                        "quota-tenants", 0L,
                                                        "quota-reservations", 0L,
                                                        "quota-turns-waiting", 0L,
                                                        "timers", 0L));
                            });
            assertThat(keys(q)).containsExactly("bravo");
            assertThat(q.admitted()).containsExactly("f1", "b1");
            assertThat(q.harness.extractOutputValues()).allMatch(t -> t.admittedAt == T0);
        }
    }

    /** Every key holding any of the stage's states. */
    private static Set<String> keys(QuotaHarness q) throws Exception {
        KeyedStateBackend<Object> backend =
                ((AbstractStreamOperator<?>) q.harness.getOperator()).getKeyedStateBackend();
        Set<String> keys = new TreeSet<>();
        for (StateDescriptor<?, ?> d : QuotaState.descriptors()) {
            try (var stream = backend.getKeys(d.getName(), VoidNamespace.INSTANCE)) {
                stream.forEach(k -> keys.add(String.valueOf(k)));
            }
        }
        return keys;
    }
}
