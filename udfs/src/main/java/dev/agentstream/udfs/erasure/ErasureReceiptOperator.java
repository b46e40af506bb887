package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Preconditions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the parts of each erase command and writes one receipt per command, once the erasure is
 * in a completed checkpoint. A command is complete when every subtask of every expected stage sent
 * its part (each part says how many subtasks its stage runs). The first checkpoint this operator
 * takes after that holds every stage's state after its erasure (a part leaves a stage after the
 * stage cleared its keys, and barriers follow records), so that checkpoint is the receipt's {@link
 * ErasureReceipt#cleanCheckpoint}; the receipt is emitted when that checkpoint completes, and an
 * exactly-once sink makes it visible with the next one.
 *
 * <p>Runs with parallelism 1. State: the commands whose receipt is not out yet, with their parts
 * (operator list state {@code erasure-pending}); after a restore, a command whose checkpoint
 * completed gets its receipt at the next completed checkpoint.
 */
public final class ErasureReceiptOperator extends AbstractStreamOperator<ErasureReceipt>
        implements OneInputStreamOperator<ErasurePart, ErasureReceipt> {

    static final String PENDING = "erasure-pending";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ErasureReceiptOperator.class);

    private final List<String> expectedStages;

    private transient ListState<PendingErasure> stored;
    private transient Map<String, PendingErasure> pending;

    /**
     * @param expectedStages the uid of every stage an erase command is broadcast to
     */
    public ErasureReceiptOperator(List<String> expectedStages) {
        Preconditions.checkArgument(!expectedStages.isEmpty(), "no stage erases anything");
        this.expectedStages = List.copyOf(expectedStages);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        stored =
                context.getOperatorStateStore()
                        .getListState(
                                new ListStateDescriptor<>(
                                        PENDING, TypeInformation.of(PendingErasure.class)));
        pending = new LinkedHashMap<>();
        for (PendingErasure p : stored.get()) {
            pending.put(p.commandId, p);
        }
    }

    @Override
    public void processElement(StreamRecord<ErasurePart> element) {
        ErasurePart part = element.getValue();
        PendingErasure p = pending.computeIfAbsent(part.commandId, PendingErasure::new);
        if (p.cleanCheckpoint != 0) {
            // A command sent again after this one completed: its parts start a receipt of their
            // own once this one is out.
            LOG.warn("Erase command {} was given again while its receipt waits", part.commandId);
        }
        p.add(part);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        for (PendingErasure p : pending.values()) {
            if (p.cleanCheckpoint == 0 && p.isComplete(expectedStages)) {
                p.cleanCheckpoint = context.getCheckpointId();
            }
        }
        stored.update(new ArrayList<>(pending.values()));
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        for (Iterator<PendingErasure> it = pending.values().iterator(); it.hasNext(); ) {
            PendingErasure p = it.next();
            if (p.cleanCheckpoint != 0 && p.cleanCheckpoint <= checkpointId) {
                ErasureReceipt receipt = p.receipt();
                output.collect(new StreamRecord<>(receipt));
                it.remove();
                LOG.info(
                        "Erasure of tenant {} (command {}) is in checkpoint {}",
                        receipt.tenant,
                        receipt.commandId,
                        receipt.cleanCheckpoint);
            }
        }
    }
}
