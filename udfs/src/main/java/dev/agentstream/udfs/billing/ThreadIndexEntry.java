package dev.agentstream.udfs.billing;

/**
 * What the thread index holds of one thread: whose it is, when its turns ran, how many and how many
 * tokens they used, as absolute values; {@link #ttl} is when DynamoDB may drop it.
 */
public class ThreadIndexEntry {

    public String thread;
    public String tenant;

    /** Event time of the thread's first and latest turn, epoch milliseconds. */
    public long firstSeen;

    public long lastSeen;
    public long turns;
    public long inputTokens;
    public long outputTokens;
    public long totalTokens;

    /** Expiry for DynamoDB's TTL: {@link #lastSeen} plus the context's TTL, epoch seconds. */
    public long ttl;

    /** True for the deletion of the thread's item (its tenant was erased); then only keys count. */
    public boolean deleted;

    public ThreadIndexEntry() {}

    /** The deletion of the item of {@code thread} of {@code tenant}. */
    public static ThreadIndexEntry deletion(String tenant, String thread) {
        ThreadIndexEntry e = new ThreadIndexEntry();
        e.tenant = tenant;
        e.thread = thread;
        e.deleted = true;
        return e;
    }

    ThreadIndexEntry copy() {
        ThreadIndexEntry e = new ThreadIndexEntry();
        e.thread = thread;
        e.tenant = tenant;
        e.firstSeen = firstSeen;
        e.lastSeen = lastSeen;
        e.turns = turns;
        e.inputTokens = inputTokens;
        e.outputTokens = outputTokens;
        e.totalTokens = totalTokens;
        e.ttl = ttl;
        e.deleted = deleted;
        return e;
    }
}
