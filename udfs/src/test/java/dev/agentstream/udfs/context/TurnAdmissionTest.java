package dev.agentstream.udfs.context;

import org.apache.flink.runtime.state.StateBackend;

import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static dev.agentstream.udfs.Fixtures.THREAD_A;
import static dev.agentstream.udfs.Fixtures.THREAD_B;
import static dev.agentstream.udfs.Fixtures.envelope;
import static dev.agentstream.udfs.context.ContextHarness.BACKENDS;
import static dev.agentstream.udfs.context.ContextHarness.T0;
import static dev.agentstream.udfs.context.ContextHarness.TTL;
import static dev.agentstream.udfs.context.ContextHarness.answer;
import static dev.agentstream.udfs.context.ContextHarness.deadLetters;
import static dev.agentstream.udfs.context.ContextHarness.errors;
import static dev.agentstream.udfs.context.ContextHarness.harness;
import static dev.agentstream.udfs.context.ContextHarness.record;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Turn admission in the thread-context operator: one turn in flight per (thread, agent), turns that
 * wait for the answer, the release timer, and the turn and token limits of a thread.
 */
class TurnAdmissionTest {

    @ParameterizedTest
    @MethodSource(BACKENDS)
    void shouldStopStartingTurnsAtTheTurnLimit(StateBackend backend) throws Exception {
        try (var harness = harness(backend, 100, 2)) {
            for (int i = 1; i <= 4; i++) {
                harness.processElement(
                        record(envelope(THREAD_A, "console", "greeter", "Greeting", "t" + i)));
                harness.processElement(record(answer(harness, THREAD_A, "a" + i)));
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
    @MethodSource(BACKENDS)
    void shouldStopStartingTurnsAtTheThreadsTokenAllowance(StateBackend backend) throws Exception {
        // Each turn may cost its 256-token completion limit plus a prompt of well under 200.
        ContextSettings settings =
                new ContextSettings(
                        TTL, 100, 8000, 256, 100, ContextSettings.DEFAULT_TURN_RELEASE, 500);
        try (var harness = harness(backend, settings)) {
            harness.processElement(
                    record(envelope(THREAD_A, "console", "greeter", "Greeting", "k1")));
            harness.processElement(record(answer(harness, THREAD_A, "a1")));
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
    @MethodSource(BACKENDS)
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

            harness.processElement(record(answer(harness, THREAD_A, "a1")));

            List<Turn> turns = harness.extractOutputValues();
            assertThat(turns).extracting(t -> t.inputEnvelopeId).containsExactly("q1", "q2");
            // The held turn sees the answer that freed it, and ends with its own input.
            Turn second = turns.get(1);
            assertThat(second.messages[second.messages.length - 1].content).contains("q2");
            assertThat(second.messages).extracting(m -> m.content).anyMatch(c -> c.contains("a1"));
        }
    }

    @ParameterizedTest
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
    @MethodSource(BACKENDS)
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
            harness.processElement(record(ContextHarness.endingTurn(harness, jobError)));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.inputEnvelopeId)
                    .containsExactly("p1", "p2");
            assertThat(deadLetters(harness)).isEmpty();
        }
    }
}
