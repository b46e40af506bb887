package dev.agentstream.udfs.emit;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.LlmReply;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.turn.ChatMessage;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Second attack on emit: whatever leaves must come back from the bus as it left. */
class EmitRound2Test {

    private static final String ENV = Envelope.NAMESPACE;

    @ParameterizedTest
    @ValueSource(
            strings = {
                "<meta xmlns=\"" + ENV + "\"><from>x</from></meta>",
                "<e:GreetingResponse xmlns:e=\"" + ENV + "\" e:to=\"x\">hi</e:GreetingResponse>",
                "<GreetingResponse xml:lang=\"en\">a<!-- c -->b<?pi x?>c</GreetingResponse>",
                "<message xmlns=\"" + ENV + "\"><meta><from>x</from></meta><message/></message>",
                "<x:GreetingResponse xmlns:x=\"urn:x\"><y xmlns=\"\"/></x:GreetingResponse>",
                "<GreetingResponse>\r\n</GreetingResponse>",
                "plain text with \r\n carriage returns",
            })
    void everyEmittedEnvelopeDecodesAsItWasEmitted(String answer) throws Exception {
        EnvelopeCodec codec = new EnvelopeCodec();
        for (Envelope sent : emit(answer)) {
            Envelope back = codec.decode(codec.encode(sent));
            assertThat(back.to).isEqualTo(sent.to);
            assertThat(back.payloadRoot).isEqualTo(sent.payloadRoot);
            assertThat(back.payloadNamespace).isEqualTo(sent.payloadNamespace);
            assertThat(back.payloadXml).isEqualTo(sent.payloadXml);
        }
    }

    static List<Envelope> emit(String answer) throws Exception {
        Turn turn = new Turn();
        turn.thread = Fixtures.THREAD_A;
        turn.agent = "greeter";
        turn.replyTo = "console";
        turn.inputRoot = "Greeting";
        turn.inputEnvelopeId = "bus-0-1";
        turn.model = "m";
        turn.createdAt = 1;
        turn.messages = new ChatMessage[] {new ChatMessage("user", "<Greeting/>")};
        try (var harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new EmitFunction(
                                        Fixtures.helloWorld(),
                                        EnvelopeLimits.defaults(),
                                        Fixtures.registry())))) {
            harness.open();
            harness.processElement(
                    new StreamRecord<>(
                            TurnResult.ok(turn, new LlmReply(answer, 1, 1, "m", "r", "stop"), 1)));
            return harness.extractOutputValues();
        }
    }
}
