package dev.agentstream.devtools.load;

/**
 * The order the envelopes of a plan go out in. Agent envelopes go round robin over {@code threads}
 * slots; a slot holds one thread until it has had {@code threadLength} agent envelopes, then a
 * fresh thread (see {@link FreshThreads}) takes it. Before its first agent envelope a fresh thread
 * gets its {@code prefill} context-only envelopes, one after the other.
 */
public final class LoadSequence {

    /** What an envelope is for. */
    public enum Kind {
        /** Addressed to the non-agent prefill listener: only appended to the thread's context. */
        CONTEXT,
        /** Addressed to the agent: starts a turn, answered to the client. */
        TURN
    }

    /**
     * One envelope to send.
     *
     * @param position its place among the thread's envelopes of its kind, from 0
     */
    public record Step(FreshThread thread, Kind kind, int position) {}

    private final FreshThreads fresh;
    private final int threadLength;
    private final int prefill;
    private final Slot[] slots;
    private int cursor;

    public LoadSequence(LoadPlan plan) {
        this(new FreshThreads(plan), plan.threads(), plan.threadLength(), plan.prefill());
    }

    LoadSequence(FreshThreads fresh, int threads, int threadLength, int prefill) {
        this.fresh = fresh;
        this.threadLength = threadLength;
        this.prefill = prefill;
        this.slots = new Slot[threads];
        for (int i = 0; i < threads; i++) {
            slots[i] = new Slot();
        }
    }

    /** The next envelope; the sequence never ends. */
    public Step next() {
        Slot slot = slots[cursor];
        if (slot.thread == null || slot.turns == threadLength) {
            slot.thread = fresh.next();
            slot.prefilled = 0;
            slot.turns = 0;
        }
        if (slot.prefilled < prefill) {
            return new Step(slot.thread, Kind.CONTEXT, slot.prefilled++);
        }
        Step step = new Step(slot.thread, Kind.TURN, slot.turns++);
        cursor = (cursor + 1) % slots.length;
        return step;
    }

    private static final class Slot {
        FreshThread thread;
        int prefilled;
        int turns;
    }
}
