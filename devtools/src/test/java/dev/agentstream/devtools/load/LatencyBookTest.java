package dev.agentstream.devtools.load;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.registry.LinkXml;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyBookTest {

    private static final EnvelopeLimits LIMITS = EnvelopeLimits.defaults();
    private static final EnvelopeCodec CODEC = new EnvelopeCodec(LIMITS);
    private static final String THREAD = "6f1c2a9e-4b7d-4e21-9a55-0d3b8c7e1f42";
    private static final String BUS = "agentstream.bus-run-1";
    private static final String COPIES = "copies";

    private final SentAt sentAt = new SentAt(LIMITS);
    private final LinkXml links = new LinkXml(LIMITS);
    private final LatencyBook book = new LatencyBook("console", Set.of(COPIES), 1_000);

    @Test
    void shouldMeasureAnAnswerFromItsInputsSentAt() {
        book.record(BUS, 1, 40, input(5_000, 0), 5_100);
        book.record(BUS, 0, 7, answer(BUS + "-1-40", false), 17_000);

        LatencySnapshot s = book.snapshot();
        assertThat(s.inputs()).isEqualTo(1);
        assertThat(s.answered()).isEqualTo(1);
        assertThat(s.unanswered()).isZero();
        assertThat(s.histogram().getTotalCount()).isEqualTo(1);
        assertThat(s.histogram().getMaxValue()).isBetween(11_990L, 12_010L);
        assertThat(s.percentileMillis(50)).isBetween(11.9, 12.1);
    }

    @Test
    void shouldMeasureHowLongAnInputTookToBecomeReadable() {
        book.record(BUS, 1, 40, input(5_000, 0), 5_100);
        book.record(BUS, 1, 41, input(6_000, 1), 906_000);
        book.record(BUS, 0, 1, prefill(5_000), 805_000);

        LatencySnapshot s = book.snapshot();
        assertThat(s.inputVisible().getTotalCount()).as("prefill is not an input").isEqualTo(2);
        assertThat(s.inputVisibleMillis(50)).isBetween(0.09, 0.11);
        assertThat(s.inputVisibleMillis(99)).isBetween(899.0, 901.0);
        assertThat(s.answered()).as("nothing answered yet").isZero();
    }

    @Test
    void shouldHoldAnAnswerReadBeforeItsInput() {
        book.record(BUS, 0, 7, answer(BUS + "-1-40", false), 17_000);

        assertThat(book.snapshot().unknownInput()).isEqualTo(1);
        assertThat(book.snapshot().answered()).isZero();

        book.record(BUS, 1, 40, input(5_000, 0), 17_500);

        LatencySnapshot s = book.snapshot();
        assertThat(s.unknownInput()).isZero();
        assertThat(s.answered()).isEqualTo(1);
        assertThat(s.histogram().getMaxValue()).isBetween(11_990L, 12_010L);
    }

    @Test
    void shouldCountAnInputAnsweredTwiceOnce() {
        book.record(BUS, 1, 40, input(5_000, 0), 5_100);
        for (int i = 0; i < 3; i++) {
            book.record(BUS, 0, 7 + i, answer(BUS + "-1-40", false), 17_000 + i);
        }

        LatencySnapshot s = book.snapshot();
        assertThat(s.answered()).isEqualTo(1);
        assertThat(s.answeredMoreThanOnce()).isEqualTo(1);
        assertThat(s.histogram().getTotalCount()).isEqualTo(1);
    }

    @Test
    void shouldTellWhatIsNoAnswer() {
        book.record(BUS, 0, 1, prefill(5_000), 5_100);
        book.record(BUS, 0, 2, fromAgent("console", null), 6_000);
        book.record(BUS, 0, 3, fromAgent("summarizer", null), 6_000);
        book.record(BUS, 0, 4, fromAgent("summarizer", BUS + "-0-1"), 6_000);
        book.record(BUS, 0, 5, "not xml".getBytes(StandardCharsets.UTF_8), 6_000);

        LatencySnapshot s = book.snapshot();
        assertThat(s.contextInputs()).isEqualTo(1);
        assertThat(s.notAnswers()).isEqualTo(4);
        assertThat(s.inputs()).isZero();
        assertThat(s.unknownInput()).isZero();
        assertThat(s.answered()).isZero();
    }

    @Test
    void shouldCountErrorsAndNeverSeenInputs() {
        book.record(BUS, 1, 40, input(5_000, 0), 5_100);
        book.record(BUS, 0, 7, answer(BUS + "-1-40", true), 9_000);
        book.record(BUS, 0, 8, answer(BUS + "-1-41", false), 9_000);
        book.record(BUS, 0, 9, answer("nonsense", false), 9_000);

        LatencySnapshot s = book.snapshot();
        assertThat(s.answered()).isEqualTo(1);
        assertThat(s.errorAnswers()).isEqualTo(1);
        assertThat(s.unknownInput()).isEqualTo(2);
    }

    @Test
    void shouldSetApartAnswersToAnEarlierRun() {
        book.record(BUS, 1, 40, input(500, 0), 600);
        book.record(BUS, 0, 7, answer(BUS + "-1-40", false), 9_000);

        LatencySnapshot s = book.snapshot();
        assertThat(s.inputs()).isZero();
        assertThat(s.earlier()).isEqualTo(1);
        assertThat(s.answered()).isZero();
    }

    @Test
    void shouldMeasurePassThroughCopiesDirectly() {
        book.record(BUS, 0, 1, input(5_000, 3), 5_100);
        book.record(COPIES, 0, 1, input(5_000, 3), 8_000);
        book.record(COPIES, 0, 2, input(6_000, 4), 9_000);
        book.record(COPIES, 0, 3, input(6_000, 4), 9_500);
        book.record(COPIES, 0, 4, prefill(6_000), 9_500);

        LatencySnapshot s = book.snapshot();
        assertThat(s.inputs()).isEqualTo(1);
        assertThat(s.answered()).isEqualTo(2);
        assertThat(s.answeredMoreThanOnce()).isEqualTo(1);
        assertThat(s.notAnswers()).isEqualTo(1);
        assertThat(s.histogram().getMaxValue()).isBetween(2_990L, 3_010L);
    }

    private byte[] input(long micros, long seq) {
        Envelope e = envelope("console", "summarizer", "<Brief>hello</Brief>");
        e.metaExtensions = sentAt.write(micros, seq);
        return CODEC.encode(e);
    }

    private byte[] prefill(long micros) {
        Envelope e = envelope("console", "archivist", "<Brief>old</Brief>");
        e.metaExtensions = sentAt.writeContext(micros);
        return CODEC.encode(e);
    }

    private byte[] answer(String inputId, boolean huh) {
        String payload =
                huh
                        ? SystemPayloads.huh(
                                "pipeline-failure",
                                "failed",
                                "console",
                                "x",
                                "Brief",
                                Instant.EPOCH)
                        : SystemPayloads.reply("done");
        Envelope e = envelope("summarizer", "console", payload);
        e.metaExtensions = links.writeTurnEnd(inputId);
        return CODEC.encode(e);
    }

    private byte[] fromAgent(String to, String turnEnd) {
        Envelope e = envelope("summarizer", to, SystemPayloads.reply("partial"));
        e.metaExtensions = turnEnd == null ? "" : links.writeTurnEnd(turnEnd);
        return CODEC.encode(e);
    }

    private static Envelope envelope(String from, String to, String payloadXml) {
        Envelope e = new Envelope(from, to, THREAD, payloadXml, null, "");
        return e;
    }
}
