package dev.agentstream.udfs.quota;

/**
 * A tenant's quota at a glance, one value per tenant: what its window and its budget period hold,
 * and where its reservation log and its queue of waiting turns start and end. Both are sequences:
 * entries {@code [first, next)} exist.
 */
public class QuotaHead {

    /** Tokens charged by the reservations still in the window: {@code [windowFirst, logNext)}. */
    public long windowTokens;

    /** First reservation still in the sliding window. */
    public long windowFirst;

    /** First reservation kept: older ones were settled or expired, and left the window. */
    public long logFirst;

    /** Sequence number of the next reservation. */
    public long logNext;

    /** Start of the budget period {@link #budgetUsed} is for, epoch milliseconds. */
    public long budgetPeriod;

    /** Tokens charged in that period: reservations, replaced by actual usage once settled. */
    public long budgetUsed;

    /** First waiting turn. */
    public long waitFirst;

    /** Sequence number of the next waiting turn. */
    public long waitNext;

    /** The timer set for the first waiting turn, or 0. */
    public long wakeAt;

    /** The timer set to drop what the log or the budget no longer needs, or 0. */
    public long cleanupAt;

    /**
     * The task attempt that last counted this tenant's waiting turns in its gauge, and how many it
     * counted: a restored head is counted afresh by the attempt that reads it.
     */
    public long gaugeEpoch;

    public int gaugeShare;

    public QuotaHead() {}

    int waiting() {
        return (int) (waitNext - waitFirst);
    }

    boolean nothingKept() {
        return logFirst == logNext && waitFirst == waitNext;
    }
}
