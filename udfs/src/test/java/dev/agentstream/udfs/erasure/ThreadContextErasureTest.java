package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.context.ContextSettings;
import dev.agentstream.udfs.context.ThreadContextFunction;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;

import static dev.agentstream.udfs.erasure.ErasureHarness.count;
import static dev.agentstream.udfs.erasure.ErasureHarness.erase;
import static dev.agentstream.udfs.erasure.ErasureHarness.keys;
import static dev.agentstream.udfs.erasure.ErasureHarness.parts;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread context under erasure: one tenant's threads, waiting turns and registry entries go,
 * another's stay and keep working; a snapshot of the stage as it ran alone restores under the
 * wrapper.
 */
class ThreadContextErasureTest {

    private static final String THREAD_C = "0a6b1f52-2c3d-4e5f-8a9b-0c1d2e3f4a5b";
    private static final ContextSettings SETTINGS =
            new ContextSettings(
                    Duration.ofMinutes(10),
                    100,
                    8000,
                    256,
                    100,
                    ContextSettings.DEFAULT_TURN_RELEASE,
                    ContextSettings.DEFAULT_MAX_THREAD_TOKENS);

    @ParameterizedTest
    @MethodSource(ErasureHarness.BACKENDS)
    void shouldClearOneTenantsThreadsAndLeaveTheOthers(StateBackend backend) throws Exception {
        try (var harness = harness(backend)) {
            harness.open();
            // acme: two threads, one with a turn in flight and one waiting behind it.
            harness.processElement(greeting(Fixtures.THREAD_A, "acme", "a1"), 1);
            harness.processElement(greeting(Fixtures.THREAD_A, "acme", "a2"), 2);
            harness.processElement(greeting(Fixtures.THREAD_B, "acme", "a3"), 3);
            harness.processElement(greeting(THREAD_C, "bravo", "b1"), 4);

            assertThat(harness.numProcessingTimeTimers()).isEqualTo(3); // one per turn started
            harness.processBroadcastElement(erase("acme"), 5);

            ErasurePart part = parts(harness).get(0);
            assertThat(count(part, "timers")).isEqualTo(2);
            assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
            assertThat(part.stage).isEqualTo("thread-context");
            assertThat(part.tenant).isEqualTo("acme");
            assertThat(part.subtasks).isEqualTo(1);
            assertThat(count(part, "thread-contexts")).isEqualTo(2);
            assertThat(count(part, "context-slots")).isEqualTo(3);
            assertThat(count(part, "turns-in-flight")).isEqualTo(2);
            assertThat(count(part, "turns-waiting")).isEqualTo(1);
            assertThat(count(part, "registry-links")).isZero();
            assertThat(keys(harness, function().keyedStateDescriptors()))
                    .containsExactly(TenantNames.key("bravo", THREAD_C));

            // bravo's thread goes on; acme's starts from nothing.
            harness.processElement(greeting(THREAD_C, "bravo", "b2"), 6);
            harness.processElement(greeting(Fixtures.THREAD_A, "acme", "a4"), 7);
            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.tenant + " " + t.inputEnvelopeId)
                    .containsExactly("acme a1", "acme a3", "bravo b1", "acme a4");
            assertThat(promptOf(harness, "a4")).contains("a4").doesNotContain("a1", "a2");
        }
    }

    @ParameterizedTest
    @MethodSource(ErasureHarness.BACKENDS)
    void shouldRestoreWhatTheStageAloneSnapshotted(StateBackend backend) throws Exception {
        OperatorSubtaskState snapshot;
        try (var alone =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function()),
                        (Envelope e) -> TenantNames.key(e.tenant, e.thread),
                        Types.STRING,
                        ErasureHarness.MAX_PARALLELISM,
                        1,
                        0)) {
            alone.setStateBackend(backend);
            alone.open();
            alone.processElement(new StreamRecord<>(greeting(Fixtures.THREAD_A, "acme", "a1")));
            alone.processElement(new StreamRecord<>(greeting(THREAD_C, "bravo", "b1")));
            snapshot = alone.snapshot(1, 10);
        }

        try (var harness = harness(backend)) {
            harness.initializeState(snapshot);
            harness.open();
            harness.processBroadcastElement(erase("acme"), 11);

            assertThat(count(parts(harness).get(0), "context-slots")).isEqualTo(1);
            assertThat(keys(harness, function().keyedStateDescriptors()))
                    .containsExactly(TenantNames.key("bravo", THREAD_C));
        }
    }

    private static String promptOf(
            KeyedBroadcastOperatorTestHarness<String, Envelope, EraseTenant, Turn> h, String id) {
        Turn turn =
                h.extractOutputValues().stream()
                        .filter(t -> t.inputEnvelopeId.equals(id))
                        .findFirst()
                        .orElseThrow();
        StringBuilder prompt = new StringBuilder();
        for (var m : turn.messages) {
            prompt.append(m.content).append('\n');
        }
        return prompt.toString();
    }

    private static ThreadContextFunction function() {
        return new ThreadContextFunction(
                Fixtures.helloWorld(), SETTINGS, EnvelopeLimits.defaults(), Fixtures.registry());
    }

    private static KeyedBroadcastOperatorTestHarness<String, Envelope, EraseTenant, Turn> harness(
            StateBackend backend) throws Exception {
        return ErasureHarness.wrapped(
                "thread-context",
                function(),
                (Envelope e) -> TenantNames.key(e.tenant, e.thread),
                Types.STRING,
                backend);
    }

    private static Envelope greeting(String thread, String tenant, String id) {
        Envelope e = Fixtures.envelope(thread, "console", "greeter", "Greeting", id);
        e.tenant = tenant;
        return e;
    }
}
