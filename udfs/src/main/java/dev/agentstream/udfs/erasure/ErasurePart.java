package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * What one subtask of one stage erased for one command: the erasure receipt is made of one part per
 * subtask of every stage the command was broadcast to.
 */
public class ErasurePart {

    /** The side output every erasing stage writes its parts to. */
    public static final OutputTag<ErasurePart> TAG =
            new OutputTag<>("erasure-parts", TypeInformation.of(ErasurePart.class));

    public String commandId;
    public String tenant;
    public String requestedBy;
    public String issued;

    /** The stage's uid, e.g. {@code thread-context}. */
    public String stage;

    public int subtask;

    /**
     * How many parts the stage sends per command: the subtasks it runs when the command is
     * broadcast to them; 1 when the command is keyed to the tenant's one key (the quota stage,
     * whose part then says subtask 0).
     */
    public int subtasks;

    public ErasedCount[] counts = new ErasedCount[0];

    /** Why this part may be incomplete (e.g. the Redis tier was away); null when complete. */
    public String problem;

    /** Wall-clock time the subtask erased, epoch milliseconds. */
    public long erasedAt;

    public ErasurePart() {}

    public static ErasurePart of(
            EraseTenant command, String stage, int subtask, int subtasks, ErasureTally tally) {
        ErasurePart p = new ErasurePart();
        p.commandId = command.commandId;
        p.tenant = command.tenant;
        p.requestedBy = command.requestedBy;
        p.issued = command.issued;
        p.stage = stage;
        p.subtask = subtask;
        p.subtasks = subtasks;
        p.counts = tally.toArray();
        p.erasedAt = System.currentTimeMillis();
        return p;
    }

    @Override
    public String toString() {
        return "ErasurePart{"
                + commandId
                + " "
                + stage
                + "/"
                + subtask
                + " of "
                + subtasks
                + ", "
                + new ErasureTally().addAll(counts)
                + (problem == null ? "" : ", problem=" + problem)
                + "}";
    }
}
