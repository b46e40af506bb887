package dev.agentstream.udfs.emit;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.Harnesses;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.TurnResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emit stage at the edges of what a provider may send: token counts at the top of an int, and
 * text whose cut at {@link EmitFunction#MAX_TEXT} falls inside a character outside the BMP.
 */
class EmitEdgeAttackTest {

    @Test
    void shouldNeverBillANegativeTotal() throws Exception {
        // A provider that reports 1e30 prompt tokens is read as Integer.MAX_VALUE of them.
        LlmReply absurd = new LlmReply("<Pong/>", Integer.MAX_VALUE, 5, "m", "r-1", "stop");

        UsageRecord usage =
                Harnesses.emit(Fixtures.helloWorld(), TurnResult.ok(Fixtures.turn(), absurd, 1))
                        .usage()
                        .get(0);

        assertThat(usage.totalTokens).isGreaterThanOrEqualTo(usage.inputTokens);
    }

    @Test
    void shouldKeepARefusalWhoseCutFallsInsideAnEmoji() throws Exception {
        String reason = "x".repeat(EmitFunction.MAX_TEXT - 1) + "\uD83D\uDE00 and more";
        LlmReply refused = new LlmReply(reason, 30, 2, "m", "r-1", "content_filter", 0, 0, true);

        Envelope only =
                Harnesses.emit(Fixtures.helloWorld(), TurnResult.ok(Fixtures.turn(), refused, 5))
                        .envelopes()
                        .get(0);

        assertThat(only.payloadRoot).isEqualTo(SystemPayloads.REFUSAL);
    }

    @Test
    void shouldKeepAProseAnswerWhoseCutFallsInsideAnEmoji() throws Exception {
        String prose = "y".repeat(EmitFunction.MAX_TEXT - 1) + "\uD83D\uDE00 the end";
        LlmReply answer = new LlmReply(prose, 30, 2, "m", "r-1", "stop");

        Envelope only =
                Harnesses.emit(Fixtures.helloWorld(), TurnResult.ok(Fixtures.turn(), answer, 5))
                        .envelopes()
                        .get(0);

        assertThat(only.payloadRoot).isNotEqualTo("huh");
        assertThat(only.payloadXml).contains("[cut]");
    }
}
