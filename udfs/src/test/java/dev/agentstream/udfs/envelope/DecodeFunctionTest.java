package dev.agentstream.udfs.envelope;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.agentstream.udfs.envelope.EnvelopeFixtures.GREETER;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.THREAD;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.document;
import static dev.agentstream.udfs.envelope.EnvelopeFixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;

class DecodeFunctionTest {

    private static final String TOPIC = "bus";
    private static final int PARTITION = 3;
    private static final long T0 = 1_000L;

    private static final byte[] GOOD = utf8(document("<Greeting><name>Ada</name></Greeting>"));
    private static final byte[] NOT_XML = utf8("hello, bus");
    private static final byte[] NO_PAYLOAD = utf8(document(""));

    private OneInputStreamOperatorTestHarness<BusRecord, Envelope> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new DecodeFunction(EnvelopeLimits.defaults()));
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    @Test
    void shouldEmitDecodedEnvelopeWithCoordinatesAsId() throws Exception {
        harness.processElement(record(7, GOOD), T0);

        List<Envelope> out = harness.extractOutputValues();
        assertThat(out).hasSize(1);
        Envelope envelope = out.get(0);
        assertThat(envelope.envelopeId).isEqualTo("bus-3-7");
        assertThat(envelope.from).isEqualTo(GREETER);
        assertThat(envelope.thread).isEqualTo(THREAD);
        assertThat(envelope.payloadRoot).isEqualTo("Greeting");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void shouldSendBadRecordToDeadLettersWithReasonAndOriginalBytes() throws Exception {
        harness.processElement(record(8, NOT_XML), T0);

        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> dead = deadLetters();
        assertThat(dead).hasSize(1);
        DeadLetter letter = dead.get(0);
        assertThat(letter.reason).isEqualTo(DeadLetterReason.NOT_XML.code());
        assertThat(letter.source).isEqualTo("bus-3-8");
        assertThat(letter.original).isEqualTo(NOT_XML);
        assertThat(letter.thread).isNull();
        assertThat(letter.detail).isNotBlank().doesNotContain("hello");
    }

    @Test
    void shouldKeepThreadOfDeadLetterWhenMetaWasRead() throws Exception {
        harness.processElement(record(9, NO_PAYLOAD), T0);

        DeadLetter letter = deadLetters().get(0);
        assertThat(letter.reason).isEqualTo("no-payload");
        assertThat(letter.thread).isEqualTo(THREAD);
    }

    @Test
    void shouldSendRecordWithoutValueToDeadLetters() throws Exception {
        harness.processElement(record(10, null), T0);

        DeadLetter letter = deadLetters().get(0);
        assertThat(letter.reason).isEqualTo(DeadLetterReason.NOT_XML.code());
        assertThat(letter.original).isNull();
    }

    @Test
    void shouldSplitAMixedStreamInOrder() throws Exception {
        harness.processElement(record(1, GOOD), T0);
        harness.processElement(record(2, NOT_XML), T0);
        harness.processElement(record(3, GOOD), T0);

        assertThat(harness.extractOutputValues())
                .extracting(e -> e.envelopeId)
                .containsExactly("bus-3-1", "bus-3-3");
        assertThat(deadLetters()).extracting(d -> d.source).containsExactly("bus-3-2");
    }

    private List<DeadLetter> deadLetters() {
        var side = harness.getSideOutput(DecodeFunction.DEAD_LETTERS);
        return side == null ? List.of() : side.stream().map(StreamRecord::getValue).toList();
    }

    private static BusRecord record(long offset, byte[] value) {
        return new BusRecord(TOPIC, PARTITION, offset, T0, value);
    }
}
