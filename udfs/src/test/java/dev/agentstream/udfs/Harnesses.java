package dev.agentstream.udfs;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.emit.EmitFunction;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.llm.LlmCallFunction;
import dev.agentstream.udfs.llm.LlmClientFactory;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.organism.Organism;
import dev.agentstream.udfs.turn.Turn;

import java.util.List;

/** Runs the job's stateless operators on Flink's test harnesses, for the udfs tests. */
public final class Harnesses {

    /** What the emit operator wrote for one result. */
    public record Emitted(List<Envelope> envelopes, List<UsageRecord> usage) {}

    private Harnesses() {}

    /** {@code turns} copies of {@link Fixtures#turn()} through the async LLM operator. */
    public static List<TurnResult> callLlm(LlmClientFactory clients, int turns, long timeoutMs)
            throws Exception {
        var operator =
                new AsyncWaitOperatorFactory<>(
                        new LlmCallFunction(clients),
                        timeoutMs,
                        16,
                        AsyncDataStream.OutputMode.ORDERED);
        try (var harness =
                new OneInputStreamOperatorTestHarness<>(
                        operator,
                        TypeInformation.of(Turn.class)
                                .createSerializer(new SerializerConfigImpl()))) {
            harness.open();
            for (int i = 0; i < turns; i++) {
                harness.processElement(new StreamRecord<>(Fixtures.turn()));
            }
            harness.endInput();
            return harness.extractOutputValues();
        }
    }

    /** One result through the emit operator of {@code organism}. */
    public static Emitted emit(Organism organism, TurnResult result) throws Exception {
        try (var harness =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new EmitFunction(
                                        organism,
                                        EnvelopeLimits.defaults(),
                                        Fixtures.registry())))) {
            harness.open();
            harness.processElement(new StreamRecord<>(result));
            var usage = harness.getSideOutput(EmitFunction.USAGE);
            return new Emitted(
                    harness.extractOutputValues(),
                    usage == null
                            ? List.of()
                            : usage.stream().map(StreamRecord::getValue).toList());
        }
    }
}
