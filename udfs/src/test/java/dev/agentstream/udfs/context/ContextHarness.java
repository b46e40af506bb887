package dev.agentstream.udfs.context;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.turn.Turn;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static dev.agentstream.udfs.Fixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;

/** Harness, fixtures and readers shared by the thread-context operator tests. */
final class ContextHarness {

    /** The {@code @MethodSource} of the state backends every operator test runs on. */
    static final String BACKENDS = "dev.agentstream.udfs.context.ContextHarness#backends";

    static final long T0 = 1_000L;
    static final Duration TTL = Duration.ofMinutes(10);
    static final long AFTER_TTL = T0 + TTL.toMillis() + 1;

    static Stream<StateBackend> backends() {
        return Stream.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend());
    }

    private ContextHarness() {}

    static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> harness(
            StateBackend backend, int maxSlots) throws Exception {
        return harness(backend, maxSlots, 100);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> harness(
            StateBackend backend, int maxSlots, int maxTurns) throws Exception {
        return harness(
                backend,
                new ContextSettings(
                        TTL,
                        maxSlots,
                        8000,
                        256,
                        maxTurns,
                        ContextSettings.DEFAULT_TURN_RELEASE,
                        ContextSettings.DEFAULT_MAX_THREAD_TOKENS));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> harness(
            StateBackend backend, ContextSettings settings) throws Exception {
        return harness(Fixtures.helloWorld(), settings, backend);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> harness(
            Organism organism, ContextSettings settings, StateBackend backend) throws Exception {
        var function =
                new ThreadContextFunction(
                        organism, settings, EnvelopeLimits.defaults(), Fixtures.registry());
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function),
                        e -> TenantNames.key(e.tenant, e.thread),
                        Types.STRING);
        harness.setStateBackend(backend);
        harness.open();
        return harness;
    }

    static List<Envelope> errors(KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h) {
        var out = h.getSideOutput(ThreadContextFunction.BUS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    /**
     * The greeter's answer coming back from the bus, addressed to its peer, as the last envelope of
     * the greeter's newest turn on the harness (so it ends that turn).
     */
    static Envelope answer(
            KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h,
            String thread,
            String id) {
        return endingTurn(h, envelope(thread, "greeter", "shouter", "GreetingResponse", id));
    }

    /** {@code e} marked, as the emit stage marks it, as the end of the newest turn on {@code h}. */
    static Envelope endingTurn(
            KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h, Envelope e) {
        List<Turn> turns = h.extractOutputValues();
        String input = turns.get(turns.size() - 1).inputEnvelopeId;
        e.metaExtensions =
                new Registry(Fixtures.registry(), EnvelopeLimits.defaults()).turnEnd(input);
        return e;
    }

    static StreamRecord<Envelope> record(Envelope e) {
        return new StreamRecord<>(e);
    }

    static Turn onlyTurn(KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h) {
        List<Turn> turns = h.extractOutputValues();
        assertThat(turns).hasSize(1);
        return turns.get(0);
    }

    static List<String> roles(Turn turn) {
        return Stream.of(turn.messages).map(m -> m.role).toList();
    }

    static List<DeadLetter> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h) {
        var out = h.getSideOutput(ThreadContextFunction.DEAD_LETTERS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }
}
