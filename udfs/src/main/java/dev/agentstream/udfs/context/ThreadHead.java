package dev.agentstream.udfs.context;

/**
 * Bookkeeping of one thread's context: slots {@code [firstSeq, nextSeq)} may be present. Slots
 * below {@code firstSeq} were evicted by the slot limit; slots inside may still have expired.
 */
public class ThreadHead {

    public long firstSeq;
    public long nextSeq;

    /** Agent turns the thread has started. */
    public long turns;

    /** Tokens the thread's turns may have used: prompt estimates plus completion limits. */
    public long tokens;

    public ThreadHead() {}

    public ThreadHead(long firstSeq, long nextSeq) {
        this.firstSeq = firstSeq;
        this.nextSeq = nextSeq;
    }

    public long size() {
        return nextSeq - firstSeq;
    }
}
