package dev.agentstream.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentstream.udfs.context.ContextSlot;
import dev.agentstream.udfs.emit.ParsedElement;
import dev.agentstream.udfs.emit.ParsedOutput;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.registry.Registry;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.TokenCounter;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls each JMH benchmark once on its setup state, for every value of its parameters, and checks
 * that it does the work it claims to time: a broken benchmark fails the build instead of measuring
 * an exception or nothing. Asserts no timing.
 */
class MicroBenchmarksSmokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldHaveGeneratedEveryBenchmark() throws IOException {
        String list;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/BenchmarkList")) {
            assertThat(in).as("JMH's annotation processor ran").isNotNull();
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(list)
                .contains("DecodeBenchmark_decodeStage_jmhTest")
                .contains("DecodeBenchmark_resolveTenant_jmhTest")
                .contains("HistoryWindowBenchmark_buildTurn_jmhTest")
                .contains("HistoryWindowBenchmark_buildAndEstimate_jmhTest")
                .contains("OutputParsingBenchmark_parse_jmhTest")
                .contains("OutputParsingBenchmark_emitStage_jmhTest")
                .contains("RouterCpuBenchmark_route_jmhTest")
                .contains("RouterCpuBenchmark_countPromptTokens_jmhTest")
                .contains("RouterCpuBenchmark_tokenizePrompt_jmhTest")
                .contains("RouterCpuBenchmark_encodeRequest_jmhTest")
                .contains("RouterCpuBenchmark_parseReply_jmhTest");
    }

    @ParameterizedTest
    @CsvSource({
        "typical, Request, 900, 1300",
        "large, Request, 64000, 70000",
        "stamped, Answer, 900, 1300",
        "stamped-large, Answer, 64000, 70000"
    })
    void shouldDecodeEachEnvelopeOfTheSizeItClaims(
            String kind, String root, int minBytes, int maxBytes) throws Exception {
        DecodeBenchmark bench = new DecodeBenchmark();
        bench.envelope = kind;
        bench.open();
        try {
            Envelope e = bench.decodeStage();

            assertThat(e.tenant).isEqualTo(HelpDesk.TENANT);
            assertThat(e.thread).isEqualTo(HelpDesk.THREAD);
            assertThat(e.payloadRoot).isEqualTo(root);
            assertThat(e.envelopeId).isEqualTo(DecodeBenchmark.TOPIC + "-0-42");
            assertThat(bench.resolveTenant()).isEqualTo(HelpDesk.TENANT);
            int bytes = DecodeBenchmark.bytes(kind, limits(), HelpDesk.registry()).length;
            assertThat(bytes).isBetween(minBytes, maxBytes);
        } finally {
            bench.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"stamped", "stamped-large"})
    void shouldVerifyTheStampOfWhatTheJobWrote(String kind) throws Exception {
        DecodeBenchmark bench = new DecodeBenchmark();
        bench.envelope = kind;
        bench.open();
        try {
            Envelope e = bench.decodeStage();

            assertThat(e.from).isEqualTo(HelpDesk.CONCIERGE);
            assertThat(e.to).isEqualTo(HelpDesk.CUSTOMER);
            assertThat(e.metaExtensions).contains("sig=\"").contains("message-id");
            assertThat(new Registry(HelpDesk.registry(), limits()).turnEndOf(e)).isPresent();
            assertThat(bench.resolveTenant()).isEqualTo(HelpDesk.TENANT);
        } finally {
            bench.close();
        }
    }

    @ParameterizedTest
    @CsvSource({
        "10, 8000", "100, 8000", "1000, 8000", "5000, 8000",
        "10, 128000", "100, 128000", "1000, 128000", "5000, 128000"
    })
    void shouldBuildAPromptWithTheNewestHistoryThatFitsTheWindow(int slots, int historyTokens)
            throws Exception {
        HistoryWindowBenchmark bench = new HistoryWindowBenchmark();
        bench.slots = slots;
        bench.historyTokens = historyTokens;
        bench.open();
        List<ContextSlot> thread = bench.thread();

        Turn turn = bench.buildTurn();
        ChatMessage[] m = turn.messages;
        int history = m.length - 2;

        assertThat(m[0].role).isEqualTo(ChatMessage.SYSTEM);
        assertThat(m[m.length - 1].content).isEqualTo(thread.get(slots - 1).payloadXml);
        assertThat(history).isBetween(1, slots - 1);
        assertThat(m[m.length - 2].content)
                .as("the newest slot before the input")
                .isEqualTo(thread.get(slots - 2).payloadXml);
        assertThat(m[1].content)
                .as("the oldest slot kept, in order")
                .isEqualTo(thread.get(slots - 1 - history).payloadXml);
        long used = 0;
        for (int i = slots - 1 - history; i < slots - 1; i++) {
            used += thread.get(i).tokens + TokenCounter.PER_MESSAGE_OVERHEAD;
        }
        assertThat(used).as("the history fits the window").isLessThanOrEqualTo(historyTokens);
        if (history < slots - 1) {
            ContextSlot next = thread.get(slots - 2 - history);
            assertThat(used + next.tokens + TokenCounter.PER_MESSAGE_OVERHEAD)
                    .as("the next older slot would not have fitted")
                    .isGreaterThan(historyTokens);
        }
        assertThat(bench.buildAndEstimate()).isGreaterThan(used + turn.maxTokens);
    }

    @Test
    void shouldParseAndEmitAShortReply() throws Exception {
        OutputParsingBenchmark bench = parsing("short");
        try {
            assertThat(bench.parse().elements())
                    .extracting(ParsedElement::root)
                    .containsExactly("Answer");
            List<Envelope> out = bench.emitStage();

            assertThat(out).hasSize(1);
            assertThat(out.get(0).to).isEqualTo(HelpDesk.CUSTOMER);
            assertThat(out.get(0).payloadRoot).isEqualTo("Answer");
            assertThat(usage(bench).tenant).isEqualTo(HelpDesk.TENANT);
        } finally {
            bench.close();
        }
    }

    @Test
    void shouldMakeTwoCallsAndAnAnswerOfThreePayloads() throws Exception {
        OutputParsingBenchmark bench = parsing("three-payloads");
        try {
            assertThat(bench.parse().elements())
                    .extracting(ParsedElement::root)
                    .containsExactly("Brief", "Summary", "Answer");
            List<Envelope> out = bench.emitStage();

            assertThat(out)
                    .extracting(e -> e.payloadRoot)
                    .containsExactly("Brief", "sent", "Summary", "sent", "Answer");
            assertThat(out)
                    .extracting(e -> e.to)
                    .containsExactly("summarizer", null, "archivist", null, HelpDesk.CUSTOMER);
            assertThat(out.get(0).thread).isNotEqualTo(HelpDesk.THREAD);
            assertThat(out.get(0).metaExtensions).contains("sig=");
            assertThat(usage(bench).cost).isNotNull();
        } finally {
            bench.close();
        }
    }

    @Test
    void shouldKeepAMalformedReplyAsProseAndReplyWithIt() throws Exception {
        OutputParsingBenchmark bench = parsing("malformed");
        try {
            ParsedOutput parsed = bench.parse();
            assertThat(parsed.elements()).isEmpty();
            assertThat(parsed.prose()).contains("<Brief>").contains("</Sumary>");
            List<Envelope> out = bench.emitStage();

            assertThat(out).hasSize(1);
            assertThat(out.get(0).payloadRoot).isEqualTo("reply");
            assertThat(out.get(0).to).isEqualTo(HelpDesk.CUSTOMER);
        } finally {
            bench.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"short", "window-8k"})
    void shouldRouteCountEncodeAndParseOneCall(String prompt) throws Throwable {
        RouterCpuBenchmark bench = new RouterCpuBenchmark();
        bench.prompt = prompt;
        bench.open();
        try {
            Turn turn = bench.turn();
            assertThat(bench.route().text()).isEqualTo(bench.replyText());
            long tokens = bench.countPromptTokens();
            assertThat(tokens).isPositive();
            assertThat(bench.tokenizePrompt())
                    .as("the counts the builder carried are jtokkit's")
                    .isEqualTo(tokens);
            if (prompt.equals("window-8k")) {
                assertThat(tokens).isGreaterThan(7000);
            } else {
                assertThat(turn.messages).hasSize(2);
            }

            JsonNode request = JSON.readTree(bench.encodeRequest());
            assertThat(request.path("model").asText()).isEqualTo(HelpDesk.MODEL);
            assertThat(request.path("messages").size()).isEqualTo(turn.messages.length);
            assertThat(request.path("messages").path(0).path("role").asText())
                    .isEqualTo(ChatMessage.SYSTEM);

            LlmReply reply = bench.parseReply();
            assertThat(reply.text()).isEqualTo(bench.replyText());
            assertThat(reply.promptTokens()).isEqualTo((int) tokens);
            assertThat(reply.completionTokens()).isEqualTo(160);
            assertThat(reply.refused()).isFalse();
        } finally {
            bench.close();
        }
    }

    private static OutputParsingBenchmark parsing(String reply) throws Exception {
        OutputParsingBenchmark bench = new OutputParsingBenchmark();
        bench.reply = reply;
        bench.open();
        return bench;
    }

    private static UsageRecord usage(OutputParsingBenchmark bench) {
        List<Object> usage = bench.usage();
        assertThat(usage).hasSize(1);
        return (UsageRecord) usage.get(0);
    }

    private static EnvelopeLimits limits() {
        return EnvelopeLimits.defaults();
    }
}
