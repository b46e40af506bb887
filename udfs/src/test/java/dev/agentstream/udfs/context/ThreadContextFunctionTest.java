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
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static dev.agentstream.udfs.Fixtures.THREAD_A;
import static dev.agentstream.udfs.Fixtures.THREAD_B;
import static dev.agentstream.udfs.Fixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;

class ThreadContextFunctionTest {

    private static final long T0 = 1_000L;
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final long AFTER_TTL = T0 + TTL.toMillis() + 1;

    static Stream<StateBackend> backends() {
        return Stream.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldPutHistoryInAppendOrderWithRolesFromTheAgentsView(StateBackend backend)
            throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "shouter", "GreetingResponse", "e1")));
            harness.processElement(
                    record(envelope(THREAD_A, "greeter", "shouter", "GreetingResponse", "e2")));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "e3")));

            Turn turn = onlyTurn(harness);
            assertThat(turn.thread).isEqualTo(THREAD_A);
            assertThat(turn.agent).isEqualTo("greeter");
            assertThat(turn.replyTo).isEqualTo("console");
            assertThat(turn.inputEnvelopeId).isEqualTo("e3");
            assertThat(roles(turn)).containsExactly("system", "user", "assistant", "user");
            assertThat(turn.messages[1].content).contains("e1");
            assertThat(turn.messages[2].content).contains("e2");
            assertThat(turn.messages[3].content).contains("e3");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldKeepThreadsApart(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "shouter", "GreetingResponse", "a1")));
            harness.processElement(
                    record(envelope(THREAD_B, "console", "greeter", "Greeting", "b1")));

            Turn turn = onlyTurn(harness);
            assertThat(turn.thread).isEqualTo(THREAD_B);
            assertThat(turn.messages).extracting(m -> m.content).noneMatch(c -> c.contains("a1"));
            assertThat(turn.messages).hasSize(2);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldDropContextAfterTtl(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.setStateTtlProcessingTime(T0);
            harness.processElement(
                    record(envelope(THREAD_A, "console", "shouter", "GreetingResponse", "old")));

            harness.setStateTtlProcessingTime(AFTER_TTL);
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "new")));

            Turn turn = onlyTurn(harness);
            assertThat(turn.messages).hasSize(2);
            assertThat(turn.messages[1].content).contains("new");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldKeepContextWithinTtl(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.setStateTtlProcessingTime(T0);
            harness.processElement(
                    record(envelope(THREAD_A, "console", "shouter", "GreetingResponse", "old")));

            harness.setStateTtlProcessingTime(AFTER_TTL - 2);
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "new")));

            assertThat(onlyTurn(harness).messages).hasSize(3);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldEvictTheOldestSlotsBeyondTheLimit(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 3)) {
            for (int i = 1; i <= 5; i++) {
                harness.processElement(
                        record(
                                envelope(
                                        THREAD_A,
                                        "console",
                                        "shouter",
                                        "GreetingResponse",
                                        "s" + i)));
            }
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "s6")));

            Turn turn = onlyTurn(harness);
            assertThat(turn.messages).extracting(m -> m.content).hasSize(4);
            assertThat(turn.messages[1].content).contains("s4");
            assertThat(turn.messages[2].content).contains("s5");
            assertThat(turn.messages[3].content).contains("s6");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldSendAMisaddressedPayloadToTheDeadLetters(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(record(envelope(THREAD_A, "console", "greeter", "Shout", "x1")));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "nobody", "Greeting", "x2")));
            harness.processElement(record(envelope(THREAD_A, "console", null, "Mystery", "x3")));

            assertThat(harness.extractOutputValues()).isEmpty();
            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead)
                    .extracting(d -> d.reason)
                    .containsExactly("payload-mismatch", "unknown-recipient", "unknown-recipient");
            assertThat(dead).extracting(d -> d.source).containsExactly("x1", "x2", "x3");
            // Each sender also hears why, on its thread, in xml-pipeline's <huh>.
            List<Envelope> errors = errors(harness);
            assertThat(errors).hasSize(3);
            assertThat(errors).allSatisfy(e -> assertThat(e.to).isEqualTo("console"));
            assertThat(errors).allSatisfy(e -> assertThat(e.from).isEqualTo("agentstream"));
            assertThat(errors).allSatisfy(e -> assertThat(e.payloadRoot).isEqualTo("huh"));
            assertThat(errors.get(0).payloadXml).contains("payload-mismatch");
            assertThat(errors.get(0).metaExtensions).contains("message-id");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldRouteByRootTagWhenToIsAbsent(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(record(envelope(THREAD_A, "console", null, "Greeting", "r1")));

            assertThat(onlyTurn(harness).agent).isEqualTo("greeter");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldRecordTheJobsOwnOutputWithoutStartingATurn(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            // An agent's answer to an outside sender comes back from the bus.
            Envelope reply = envelope(THREAD_A, "greeter", "console", "Greeting", "o1");
            harness.processElement(record(reply));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "o2")));

            Turn turn = onlyTurn(harness);
            assertThat(deadLetters(harness)).isEmpty();
            assertThat(roles(turn)).containsExactly("system", "assistant", "user");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldStopStartingTurnsAtTheTurnLimit(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100, 2)) {
            for (int i = 1; i <= 4; i++) {
                harness.processElement(
                        record(envelope(THREAD_A, "console", "greeter", "Greeting", "t" + i)));
                harness.processElement(record(answer(THREAD_A, "a" + i)));
            }
            harness.processElement(
                    record(envelope(THREAD_B, "console", "greeter", "Greeting", "b")));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("t1", "t2", "b");
            List<DeadLetter> dead = deadLetters(harness);
            assertThat(dead).extracting(d -> d.reason).containsOnly("turn-limit");
            assertThat(dead).extracting(d -> d.source).containsExactly("t3", "t4");
            assertThat(errors(harness))
                    .extracting(e -> e.payloadXml)
                    .allMatch(xml -> xml.contains("pipeline-failure") && xml.contains("turn-limit"))
                    .hasSize(2);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldStopStartingTurnsAtTheThreadsTokenAllowance(StateBackend backend) throws Exception {
        // Each turn may cost its 256-token completion limit plus a prompt of well under 200.
        ContextSettings settings =
                new ContextSettings(
                        TTL, 100, 8000, 256, 100, ContextSettings.DEFAULT_TURN_RELEASE, 500);
        try (var harness = harness(backend, settings)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "k1")));
            harness.processElement(record(answer(THREAD_A, "a1")));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "k2")));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("k1");
            assertThat(deadLetters(harness))
                    .extracting(d -> d.reason)
                    .containsExactly("token-limit");
            assertThat(errors(harness).get(0).payloadXml).contains("500 tokens");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldHoldATurnForABusyAgentUntilItsAnswerComesBack(StateBackend backend)
            throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "q1")));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "q2")));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("q1");

            harness.processElement(record(answer(THREAD_A, "a1")));

            List<Turn> turns = harness.extractOutputValues();
            assertThat(turns).extracting(t -> t.inputEnvelopeId).containsExactly("q1", "q2");
            // The held turn sees the answer that freed it, and ends with its own input.
            Turn second = turns.get(1);
            assertThat(second.messages[second.messages.length - 1].content).contains("q2");
            assertThat(second.messages).extracting(m -> m.content).anyMatch(c -> c.contains("a1"));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldNotHoldOtherThreadsBehindABusyOne(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "a1")));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "a2")));
            harness.processElement(
                    record(envelope(THREAD_B, "console", "greeter", "Greeting", "b1")));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("a1", "b1");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldStartTheNextTurnWhenAnAnswerNeverComes(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.setProcessingTime(T0);
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "w1")));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "w2")));

            harness.setProcessingTime(T0 + ContextSettings.DEFAULT_TURN_RELEASE.toMillis() - 1);
            assertThat(harness.extractOutputValues()).hasSize(1);

            harness.setProcessingTime(T0 + ContextSettings.DEFAULT_TURN_RELEASE.toMillis());
            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("w1", "w2");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldPutTheWholeEnvelopeInADeadLetter(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "nobody", "Greeting", "x")));

            DeadLetter dead = deadLetters(harness).get(0);
            Envelope original = new EnvelopeCodec().decode(dead.original);
            assertThat(original.to).isEqualTo("nobody");
            assertThat(original.thread).isEqualTo(THREAD_A);
            assertThat(original.payloadRoot).isEqualTo("Greeting");
            assertThat(dead.thread).isEqualTo(THREAD_A);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> harness(
            StateBackend backend, int maxSlots) throws Exception {
        return harness(backend, maxSlots, 100);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> harness(
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

    private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> harness(
            StateBackend backend, ContextSettings settings) throws Exception {
        var function = new ThreadContextFunction(Fixtures.helloWorld(), settings);
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(function), e -> e.thread, Types.STRING);
        harness.setStateBackend(backend);
        harness.open();
        return harness;
    }

    private static List<Envelope> errors(
            KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h) {
        var out = h.getSideOutput(ThreadContextFunction.ERRORS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldFreeAnAgentWhoseOnlyAnswerWasTheJobsErrorToIt(StateBackend backend)
            throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "p1")));
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "p2")));
            Envelope jobError =
                    new Envelope(
                            "agentstream",
                            "greeter",
                            THREAD_A,
                            "<huh xmlns=\"https://xml-pipeline.org/system\"/>",
                            "huh",
                            "https://xml-pipeline.org/system");
            harness.processElement(record(jobError));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("p1", "p2");
            assertThat(deadLetters(harness)).isEmpty();
        }
    }

    /** The greeter's answer coming back from the bus, addressed to its peer. */
    private static Envelope answer(String thread, String id) {
        return envelope(thread, "greeter", "shouter", "GreetingResponse", id);
    }

    private static StreamRecord<Envelope> record(Envelope e) {
        return new StreamRecord<>(e);
    }

    private static Turn onlyTurn(KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h) {
        List<Turn> turns = h.extractOutputValues();
        assertThat(turns).hasSize(1);
        return turns.get(0);
    }

    private static List<String> roles(Turn turn) {
        return Stream.of(turn.messages).map(m -> m.role).toList();
    }

    private static List<DeadLetter> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, Envelope, Turn> h) {
        var out = h.getSideOutput(ThreadContextFunction.DEAD_LETTERS);
        return out == null ? List.of() : out.stream().map(StreamRecord::getValue).toList();
    }
}
