package dev.agentstream.udfs.emit;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.Harnesses;
import dev.agentstream.udfs.Harnesses.Emitted;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.TurnResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Answers without text and answers from the response cache, as the sender and billing see them. */
class EmitRefusalTest {

    @Test
    void shouldSendARefusalToTheSenderAndStillBillItsTokens() throws Exception {
        LlmReply refused =
                new LlmReply("Simulated refusal.", 30, 2, "m", "r-1", "content_filter", 0, 0, true);

        Emitted emitted =
                Harnesses.emit(Fixtures.helloWorld(), TurnResult.ok(Fixtures.turn(), refused, 5));

        Envelope only = emitted.envelopes().get(0);
        assertThat(emitted.envelopes()).hasSize(1);
        assertThat(only.to).isEqualTo("console");
        assertThat(only.from).isEqualTo("greeter");
        assertThat(only.payloadRoot).isEqualTo(SystemPayloads.REFUSAL);
        assertThat(only.payloadNamespace).isEqualTo(SystemPayloads.AGENTSTREAM_NS);
        assertThat(only.payloadXml).contains("Simulated refusal.");
        UsageRecord usage = emitted.usage().get(0);
        assertThat(usage.status).isEqualTo("refused");
        assertThat(usage.totalTokens).isEqualTo(32);
    }

    @Test
    void shouldSayWhyWhenTheRefusalHasNoText() throws Exception {
        LlmReply toolCall = new LlmReply("", 30, 2, "m", "r-1", "tool_calls", 0, 0, true);

        Envelope only =
                Harnesses.emit(Fixtures.helloWorld(), TurnResult.ok(Fixtures.turn(), toolCall, 5))
                        .envelopes()
                        .get(0);

        assertThat(only.payloadXml).contains("tool_calls");
    }

    @Test
    void shouldBillACacheHitAsAHitWithZeroTokens() throws Exception {
        LlmReply hit = new LlmReply("Hello.", 30, 2, "m", "r-1", "stop", 0, 0, false).asCacheHit();

        UsageRecord usage =
                Harnesses.emit(Fixtures.helloWorld(), TurnResult.ok(Fixtures.turn(), hit, 1))
                        .usage()
                        .get(0);

        assertThat(usage.cacheHit).isTrue();
        assertThat(usage.status).isEqualTo("ok");
        assertThat(usage.totalTokens).isZero();
        assertThat(usage.responseId).isEqualTo("r-1");
    }

    @Test
    void shouldKeepProviderCacheTokensApartInTheUsageRecord() throws Exception {
        LlmReply reply = new LlmReply("Hello.", 300, 2, "m", "r-1", "stop", 200, 50, false);

        UsageRecord usage =
                Harnesses.emit(Fixtures.helloWorld(), TurnResult.ok(Fixtures.turn(), reply, 1))
                        .usage()
                        .get(0);

        assertThat(usage.inputTokens).isEqualTo(300);
        assertThat(usage.cacheReadInputTokens).isEqualTo(200);
        assertThat(usage.cacheCreationInputTokens).isEqualTo(50);
    }
}
