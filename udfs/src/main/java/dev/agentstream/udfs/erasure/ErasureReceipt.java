package dev.agentstream.udfs.erasure;

/**
 * The record that a tenant's erasure is done: what every subtask of every stage cleared, and the
 * first checkpoint that holds none of it.
 */
public class ErasureReceipt {

    public String commandId;
    public String tenant;
    public String requestedBy;
    public String issued;

    /** What was cleared, summed over every stage and subtask, by kind. */
    public ErasedCount[] counts = new ErasedCount[0];

    /** The stages that took part, each with its subtask count, e.g. {@code thread-context/2}. */
    public String[] stages = new String[0];

    /**
     * The first completed checkpoint taken after every stage had erased: it and every later
     * checkpoint or savepoint hold none of the tenant's keyed state. Older ones may.
     */
    public long cleanCheckpoint;

    /** When the last stage erased, epoch milliseconds. */
    public long erasedAt;

    /** What may be incomplete, one line per stage part that said so; empty when nothing. */
    public String[] problems = new String[0];

    public ErasureReceipt() {}
}
