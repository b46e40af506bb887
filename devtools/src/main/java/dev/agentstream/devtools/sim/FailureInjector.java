package dev.agentstream.devtools.sim;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Hands out the faults planned for the next chat requests, one per request and in order, whatever
 * their protocol. Thread-safe.
 */
final class FailureInjector {

    /** {@code remaining} requests in a row get {@code fault}. */
    private record Run(Fault fault, int remaining) {}

    private final Deque<Run> plan = new ArrayDeque<>();

    /** Replaces any pending plan: the next {@code count} requests get {@code fault}. */
    synchronized void arm(int count, Fault fault) {
        plan.clear();
        if (count > 0) {
            plan.add(new Run(fault, count));
        }
    }

    /** Replaces any pending plan: the next requests get {@code faults}, one each, in order. */
    synchronized void script(List<Fault> faults) {
        plan.clear();
        faults.forEach(fault -> plan.add(new Run(fault, 1)));
    }

    /** The fault for the current request, {@link Fault#NONE} when none is planned. */
    synchronized Fault next() {
        Run head = plan.poll();
        if (head == null) {
            return Fault.NONE;
        }
        if (head.remaining() > 1) {
            plan.addFirst(new Run(head.fault(), head.remaining() - 1));
        }
        return head.fault();
    }
}
