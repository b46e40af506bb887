package dev.agentstream.udfs.conversation;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import dev.agentstream.udfs.Fixtures;
import dev.agentstream.udfs.llm.TurnResult;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ConversationBudgetFunctionTest {

    static Stream<StateBackend> backends() {
        return Stream.of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void shouldCountEveryTurnOfAConversationAcrossItsThreadsAndRejectBeyondTheLimit(
            StateBackend backend) throws Exception {
        try (var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new ConversationBudgetFunction(3, Duration.ofMinutes(10))),
                        (Turn t) -> t.root,
                        Types.STRING)) {
            harness.setStateBackend(backend);
            harness.open();
            // Conversation A: its root thread and two subthreads; conversation B alongside.
            for (String thread : List.of("a", "a-sub-1", "a-sub-2", "a-sub-1", "a")) {
                harness.processElement(new StreamRecord<>(turn("a", thread)));
            }
            harness.processElement(new StreamRecord<>(turn("b", "b")));

            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.root + "/" + t.thread)
                    .containsExactly("a/a", "a/a-sub-1", "a/a-sub-2", "b/b");
            List<TurnResult> rejected =
                    harness.getSideOutput(ConversationBudgetFunction.REJECTED).stream()
                            .map(StreamRecord::getValue)
                            .toList();
            assertThat(rejected).hasSize(2);
            assertThat(rejected)
                    .allSatisfy(
                            r -> {
                                assertThat(r.status).isEqualTo(TurnResult.REJECTED);
                                assertThat(r.error).contains("conversation.max-turns");
                                assertThat(r.promptTokens + r.completionTokens).isZero();
                            });
        }
    }

    private static Turn turn(String root, String thread) {
        Turn t = Fixtures.turn();
        t.root = root;
        t.thread = thread;
        return t;
    }
}
