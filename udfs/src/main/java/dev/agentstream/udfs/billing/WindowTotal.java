package dev.agentstream.udfs.billing;

/**
 * The usage of one tenant in one minute of event time, as absolute totals: what a window holds when
 * it is written, never an increment. A late correction ({@link #lateUsageId} set) is one record
 * that came after its window was gone: its own values, to be added to the window's.
 */
public class WindowTotal {

    public String tenant;

    /** Start of the window, epoch milliseconds (inclusive); the window is one minute long. */
    public long windowStart;

    public long inputTokens;
    public long outputTokens;
    public long totalTokens;
    public long cacheReadInputTokens;
    public long cacheCreationInputTokens;

    /** Usage records (turns) in the window, whatever their status. */
    public long turns;

    /** Provider calls made: turns that were neither rejected nor answered from the cache. */
    public long calls;

    public long cacheHits;

    /** Turns whose model has no price: their tokens are in the totals, their cost is not. */
    public long unpriced;

    /** Sum of the priced turns' cost, a plain decimal string. */
    public String cost = "0";

    public String costCurrency;

    /** True once the watermark has passed the window's end: no more records expected. */
    public boolean closed;

    /** For a late correction, the usage id of its one record; null for a window's total. */
    public String lateUsageId;

    public WindowTotal() {}
}
