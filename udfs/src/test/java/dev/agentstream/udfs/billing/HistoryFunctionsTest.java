package dev.agentstream.udfs.billing;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.Envelope;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HistoryFunctionsTest {

    private static final long T0 = 1_700_000_000_000L;

    @Test
    void shouldKeepAbsoluteThreadTotalsAndATtlPastTheLastTurn() throws Exception {
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new ThreadIndexFunction(Duration.ofHours(24))),
                        (UsageRecord u) -> u.tenant + "\n" + u.thread,
                        Types.STRING)) {
            harness.open();
            harness.processElement(new StreamRecord<>(usage("u1", T0 + 5_000, 10)));
            harness.processElement(new StreamRecord<>(usage("u2", T0, 7)));

            List<ThreadIndexEntry> out = harness.extractOutputValues();
            ThreadIndexEntry last = out.get(1);
            assertThat(last.turns).isEqualTo(2);
            assertThat(last.totalTokens).isEqualTo(17);
            assertThat(last.firstSeen).isEqualTo(T0);
            assertThat(last.lastSeen).isEqualTo(T0 + 5_000);
            assertThat(last.ttl).isEqualTo((T0 + 5_000) / 1000 + 86_400);
            assertThat(out.get(0).turns).isEqualTo(1); // each emitted entry is a copy
        }
    }

    @Test
    void shouldSlotEachEnvelopeAtItsBusCoordinates() throws Exception {
        Envelope e = Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Greeting", "x");
        e.envelopeId = "agent-stream.bus-3-1234";
        try (var harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new TranscriptFunction("default", Duration.ofHours(24))))) {
            harness.open();
            harness.processElement(new StreamRecord<>(e, T0));

            TranscriptEntry t = harness.extractOutputValues().get(0);
            assertThat(t.slot).isEqualTo("00003-0000000000000001234");
            assertThat(t.thread).isEqualTo(Fixtures.THREAD_A);
            assertThat(t.tenant).isEqualTo("default");
            assertThat(t.ttl).isEqualTo(T0 / 1000 + 86_400);
        }
        assertThat(TranscriptFunction.slot("no-coordinates")).isNull();
    }

    @Test
    void shouldFileEachEntryUnderItsEnvelopesTenant() throws Exception {
        Envelope acme = Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Greeting", "a");
        acme.envelopeId = "bus-0-1";
        acme.tenant = "acme";
        Envelope unnamed =
                Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Greeting", "");
        unnamed.envelopeId = "bus-0-2";
        try (var harness = transcriptHarness()) {
            harness.processElement(new StreamRecord<>(acme, T0));
            harness.processElement(new StreamRecord<>(unnamed, T0));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.tenant)
                    .containsExactly("acme", "default");
        }
    }

    @Test
    void shouldKeepAnOversizeEntryWithoutItsPayloadAndDeadLetterIt() throws Exception {
        String big = "<Big>" + "x".repeat(TranscriptFunction.MAX_PAYLOAD_BYTES) + "</Big>";
        Envelope e = Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Big", "");
        e.payloadXml = big;
        e.envelopeId = "bus-1-7";
        e.tenant = "acme";
        try (var harness = transcriptHarness()) {
            harness.processElement(new StreamRecord<>(e, T0));

            TranscriptEntry t = harness.extractOutputValues().get(0);
            assertThat(t.payloadXml).isNull();
            assertThat(t.payloadOmittedBytes).isEqualTo(big.length());
            assertThat(t.payloadRoot).isEqualTo("Big");
            var letters = harness.getSideOutput(TranscriptFunction.DEAD_LETTERS);
            assertThat(letters).hasSize(1);
            DeadLetter letter = letters.peek().getValue();
            assertThat(letter.reason).isEqualTo("transcript-too-large");
            assertThat(letter.tenant).isEqualTo("acme");
            assertThat(letter.source).isEqualTo("bus-1-7");
            assertThat(letter.original).hasSize(big.length());
        }
    }

    @Test
    void shouldKeepAnEntryAtTheLimitWhole() throws Exception {
        Envelope e = Fixtures.envelope(Fixtures.THREAD_A, "console", "greeter", "Big", "");
        e.payloadXml = "x".repeat(TranscriptFunction.MAX_PAYLOAD_BYTES);
        e.envelopeId = "bus-1-8";
        try (var harness = transcriptHarness()) {
            harness.processElement(new StreamRecord<>(e, T0));

            assertThat(harness.extractOutputValues().get(0).payloadXml).isEqualTo(e.payloadXml);
            assertThat(harness.getSideOutput(TranscriptFunction.DEAD_LETTERS)).isNull();
        }
    }

    private static OneInputStreamOperatorTestHarness<Envelope, TranscriptEntry> transcriptHarness()
            throws Exception {
        var harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new TranscriptFunction("default", Duration.ofHours(24))));
        harness.open();
        return harness;
    }

    private static UsageRecord usage(String id, long time, int tokens) {
        UsageRecord u = new UsageRecord();
        u.usageId = id;
        u.tenant = "acme";
        u.thread = "t1";
        u.timestamp = time;
        u.totalTokens = tokens;
        u.inputTokens = tokens;
        return u;
    }
}
