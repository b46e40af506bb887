package dev.agentstream.udfs.llm;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.cache.CacheKeys;
import dev.agentstream.udfs.cache.CacheSettings;
import dev.agentstream.udfs.emit.EmitFunction;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.erasure.EraseTenant;
import dev.agentstream.udfs.erasure.ErasurePart;
import dev.agentstream.udfs.erasure.ErasureTally;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The LLM-call stage under erasure: an erase command's turn clears the tenant's cache entries and
 * answers with the subtask's part, which the emit stage passes on; and the stage, no longer keyed
 * when commands are broadcast to it, restores what it snapshotted as a keyed operator.
 */
class LlmCallErasureTest {

    /** Providers for the factory below: the harnesses build their client in this JVM. */
    private static volatile ScriptedProvider provider;

    private static final LlmClientFactory CLIENTS = () -> provider;

    @Test
    void shouldClearTheTenantsCacheEntriesAndAnswerWithItsPart() throws Exception {
        provider = ScriptedProvider.answering();
        EraseTenant command = new EraseTenant("c-1", "acme", "ops", "", "");
        List<TurnResult> results;
        try (var harness = asyncHarness()) {
            harness.open();
            harness.processElement(new StreamRecord<>(cached("acme", "hello")));
            harness.processElement(new StreamRecord<>(cached("bravo", "hello")));
            harness.processElement(new StreamRecord<>(Turn.erasing(command)));
            harness.processElement(new StreamRecord<>(cached("bravo", "hello")));
            harness.endInput();
            results = harness.extractOutputValues();
        }

        assertThat(results).hasSize(4);
        ErasurePart part = results.get(2).erased;
        assertThat(part.stage).isEqualTo(LlmCallFunction.ERASURE_STAGE);
        assertThat(part.commandId).isEqualTo("c-1");
        assertThat(part.problem).isNull();
        ErasureTally counts = new ErasureTally().addAll(part.counts);
        assertThat(counts.get("cache-entries")).isEqualTo(1);
        assertThat(counts.asMap()).containsKey("cache-shared-entries"); // subtask 0 clears it
        assertThat(results.get(3).cacheHit).isTrue(); // bravo's entry stayed
        assertThat(provider.calls()).isEqualTo(2);

        try (var emit =
                new OneInputStreamOperatorTestHarness<>(
                        new ProcessOperator<>(
                                new EmitFunction(
                                        Fixtures.helloWorld(),
                                        EnvelopeLimits.defaults(),
                                        Fixtures.registry())))) {
            emit.open();
            emit.processElement(new StreamRecord<>(results.get(2)));

            assertThat(emit.extractOutputValues()).isEmpty();
            assertThat(emit.getSideOutput(EmitFunction.USAGE)).isNull();
            assertThat(emit.getSideOutput(ErasurePart.TAG))
                    .extracting(r -> r.getValue().toString())
                    .containsExactly(part.toString());
        }
    }

    @Test
    void shouldRestoreTurnsInFlightOfTheKeyedStageIntoTheUnkeyedOne() throws Exception {
        provider = ScriptedProvider.holding();
        OperatorSubtaskState snapshot;
        try (var keyed =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator(), (Turn t) -> t.cacheKey, Types.STRING)) {
            keyed.getStreamConfig()
                    .setupNetworkInputs(
                            TypeInformation.of(Turn.class)
                                    .createSerializer(new SerializerConfigImpl()));
            keyed.getStreamConfig().serializeAllConfigs();
            keyed.open();
            keyed.processElement(new StreamRecord<>(cached("acme", "hello")));
            snapshot = keyed.snapshot(1, 10);
        }

        provider = ScriptedProvider.answering();
        try (var unkeyed = asyncHarness()) {
            unkeyed.initializeState(snapshot);
            unkeyed.open();
            unkeyed.endInput();

            assertThat(unkeyed.extractOutputValues())
                    .extracting(r -> r.turn.tenant + " " + r.status)
                    .containsExactly("acme ok");
        }
    }

    @Test
    void shouldRestoreTurnsInFlightOfTheUnkeyedStageIntoTheKeyedOne() throws Exception {
        provider = ScriptedProvider.holding();
        OperatorSubtaskState snapshot;
        try (var unkeyed = asyncHarness()) {
            unkeyed.open();
            unkeyed.processElement(new StreamRecord<>(cached("bravo", "hello")));
            snapshot = unkeyed.snapshot(1, 10);
        }

        provider = ScriptedProvider.answering();
        try (var keyed =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        operator(), (Turn t) -> t.cacheKey, Types.STRING)) {
            keyed.getStreamConfig()
                    .setupNetworkInputs(
                            TypeInformation.of(Turn.class)
                                    .createSerializer(new SerializerConfigImpl()));
            keyed.getStreamConfig().serializeAllConfigs();
            keyed.initializeState(snapshot);
            keyed.open();
            keyed.endInput();

            assertThat(keyed.extractOutputValues())
                    .extracting(r -> r.turn.tenant + " " + r.status)
                    .containsExactly("bravo ok");
        }
    }

    private static AsyncWaitOperatorFactory<Turn, TurnResult> operator() {
        return new AsyncWaitOperatorFactory<>(
                new LlmCallFunction(CLIENTS, new CacheSettings(100)),
                5_000,
                16,
                AsyncDataStream.OutputMode.ORDERED);
    }

    private static OneInputStreamOperatorTestHarness<Turn, TurnResult> asyncHarness()
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(
                operator(),
                TypeInformation.of(Turn.class).createSerializer(new SerializerConfigImpl()));
    }

    private static Turn cached(String tenant, String input) {
        Turn turn = Fixtures.turn();
        turn.tenant = tenant;
        turn.messages[turn.messages.length - 1].content = input;
        turn.cacheTtlMs = 60_000;
        turn.cacheKey = CacheKeys.of(turn, Fixtures.helloWorld().llm().backends());
        turn.createdAt = System.currentTimeMillis();
        return turn;
    }
}
