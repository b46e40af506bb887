package dev.agentstream.udfs.quota;

/** Tokens one admitted turn holds of its tenant's quota, until its usage record settles them. */
public class Reservation {

    /** The turn's usage id: {@code <input envelope id>/<agent>}, as its usage record has it. */
    public String usageId;

    /** When the turn was let through, processing time, epoch milliseconds. */
    public long admittedAt;

    /** The estimate reserved: prompt tokens counted with jtokkit plus the completion limit. */
    public long estimate;

    /** Tokens charged now: the estimate until settled, then the actual usage. */
    public long tokens;

    /** Start of the budget period charged, or -1 when no budget was. */
    public long budgetPeriod;

    public boolean settled;

    public Reservation() {}
}
