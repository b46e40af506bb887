package dev.agentstream.udfs.erasure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One command whose receipt is not out yet: the parts that arrived, and once all have, the
 * checkpoint that first held the erasure. Operator state of {@link ErasureReceiptOperator}.
 */
public class PendingErasure {

    public String commandId;
    public ErasurePart[] parts = new ErasurePart[0];

    /** 0 until every part is in and a checkpoint was taken after; then that checkpoint's id. */
    public long cleanCheckpoint;

    public PendingErasure() {}

    PendingErasure(String commandId) {
        this.commandId = commandId;
    }

    void add(ErasurePart part) {
        parts = Arrays.copyOf(parts, parts.length + 1);
        parts[parts.length - 1] = part;
    }

    /**
     * True when every subtask of every expected stage sent its part. A stage says how many subtasks
     * it runs; a part sent again (a command given twice at once) is counted once.
     */
    boolean isComplete(List<String> expectedStages) {
        Map<String, Set<Integer>> seen = new HashMap<>();
        Map<String, Integer> subtasks = new HashMap<>();
        for (ErasurePart p : parts) {
            seen.computeIfAbsent(p.stage, s -> new HashSet<>()).add(p.subtask);
            subtasks.put(p.stage, p.subtasks);
        }
        for (String stage : expectedStages) {
            Set<Integer> got = seen.get(stage);
            if (got == null || got.size() < subtasks.get(stage)) {
                return false;
            }
        }
        return true;
    }

    ErasureReceipt receipt() {
        ErasureReceipt r = new ErasureReceipt();
        r.commandId = commandId;
        ErasurePart first = parts[0];
        r.tenant = first.tenant;
        r.requestedBy = first.requestedBy;
        r.issued = first.issued;
        ErasureTally tally = new ErasureTally();
        Map<String, Integer> stages = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        long erasedAt = 0;
        for (ErasurePart p : parts) {
            tally.addAll(p.counts);
            stages.put(p.stage, p.subtasks);
            erasedAt = Math.max(erasedAt, p.erasedAt);
            if (p.problem != null) {
                problems.add(p.stage + "/" + p.subtask + ": " + p.problem);
            }
        }
        r.counts = tally.toArray();
        r.stages =
                stages.entrySet().stream()
                        .map(e -> e.getKey() + "/" + e.getValue())
                        .toArray(String[]::new);
        r.cleanCheckpoint = cleanCheckpoint;
        r.erasedAt = erasedAt;
        r.problems = problems.toArray(new String[0]);
        return r;
    }
}
