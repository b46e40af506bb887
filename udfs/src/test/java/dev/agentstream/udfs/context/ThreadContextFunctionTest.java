package dev.agentstream.udfs.context;

import org.apache.flink.runtime.state.StateBackend;

import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.agentstream.udfs.Fixtures.THREAD_A;
import static dev.agentstream.udfs.Fixtures.THREAD_B;
import static dev.agentstream.udfs.Fixtures.envelope;
import static dev.agentstream.udfs.context.ContextHarness.AFTER_TTL;
import static dev.agentstream.udfs.context.ContextHarness.BACKENDS;
import static dev.agentstream.udfs.context.ContextHarness.T0;
import static dev.agentstream.udfs.context.ContextHarness.deadLetters;
import static dev.agentstream.udfs.context.ContextHarness.errors;
import static dev.agentstream.udfs.context.ContextHarness.harness;
import static dev.agentstream.udfs.context.ContextHarness.onlyTurn;
import static dev.agentstream.udfs.context.ContextHarness.record;
import static dev.agentstream.udfs.context.ContextHarness.roles;
import static org.assertj.core.api.Assertions.assertThat;

class ThreadContextFunctionTest {

    @ParameterizedTest
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
    void shouldRouteByRootTagWhenToIsAbsent(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100)) {
            harness.processElement(record(envelope(THREAD_A, "console", null, "Greeting", "r1")));

            assertThat(onlyTurn(harness).agent).isEqualTo("greeter");
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
}
