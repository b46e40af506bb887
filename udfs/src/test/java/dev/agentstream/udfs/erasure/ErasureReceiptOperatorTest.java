package dev.agentstream.udfs.erasure;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ErasureReceiptOperatorTest {

    private static final List<String> STAGES = List.of("thread-context", "llm-call");

    @Test
    void shouldWaitForEverySubtaskThenForTheNextCheckpointToComplete() throws Exception {
        try (var harness = harness()) {
            harness.open();
            harness.processElement(part("thread-context", 0, 2, 3), 1);
            harness.processElement(part("llm-call", 0, 1, 4), 1);
            harness.snapshot(1, 10);
            harness.notifyOfCompletedCheckpoint(1);
            assertThat(harness.extractOutputValues()).isEmpty(); // thread-context/1 is missing

            harness.processElement(part("thread-context", 1, 2, 5), 2);
            assertThat(harness.extractOutputValues()).isEmpty();
            harness.snapshot(2, 20);
            assertThat(harness.extractOutputValues()).isEmpty(); // not complete yet
            harness.notifyOfCompletedCheckpoint(2);

            List<ErasureReceipt> receipts = harness.extractOutputValues();
            assertThat(receipts).hasSize(1);
            ErasureReceipt r = receipts.get(0);
            assertThat(r.tenant).isEqualTo("acme");
            assertThat(r.cleanCheckpoint).isEqualTo(2);
            assertThat(new ErasureTally().addAll(r.counts).get("things")).isEqualTo(12);
            assertThat(r.stages).containsExactly("llm-call/1", "thread-context/2");
            assertThat(r.problems).isEmpty();

            harness.snapshot(3, 30);
            harness.notifyOfCompletedCheckpoint(3);
            assertThat(harness.extractOutputValues()).hasSize(1); // once
        }
    }

    @Test
    void shouldSendTheReceiptAfterARestoreFromItsCheckpoint() throws Exception {
        OperatorSubtaskState taken;
        try (var harness = harness()) {
            harness.open();
            harness.processElement(part("thread-context", 0, 2, 1), 1);
            harness.processElement(part("thread-context", 1, 2, 1), 1);
            ErasurePart failed = part("llm-call", 0, 1, 0);
            failed.problem = "shared cache tier not cleared: the Redis tier is not connected";
            harness.processElement(failed, 1);
            taken = harness.snapshot(7, 70);
            // The job fails before checkpoint 7 is known to be complete.
        }
        try (var harness = harness()) {
            harness.initializeState(taken);
            harness.open();
            harness.snapshot(8, 80);
            harness.notifyOfCompletedCheckpoint(8);

            List<ErasureReceipt> receipts = harness.extractOutputValues();
            assertThat(receipts).hasSize(1);
            assertThat(receipts.get(0).cleanCheckpoint).isEqualTo(7);
            assertThat(receipts.get(0).problems)
                    .containsExactly(
                            "llm-call/0: shared cache tier not cleared: the Redis tier is not"
                                    + " connected");
        }
    }

    private static OneInputStreamOperatorTestHarness<ErasurePart, ErasureReceipt> harness()
            throws Exception {
        return new OneInputStreamOperatorTestHarness<>(new ErasureReceiptOperator(STAGES));
    }

    private static ErasurePart part(String stage, int subtask, int subtasks, long things) {
        return ErasurePart.of(
                ErasureHarness.erase("acme"),
                stage,
                subtask,
                subtasks,
                new ErasureTally().add("things", things));
    }
}
