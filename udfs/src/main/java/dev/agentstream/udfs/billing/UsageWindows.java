package dev.agentstream.udfs.billing;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;

import dev.agentstream.udfs.emit.UsageRecord;

import java.math.BigDecimal;
import java.time.Duration;

/** The minute windows of the usage totals, and the watermarks of the usage records read back. */
public final class UsageWindows {

    /** Length of one totals window. */
    public static final long WINDOW_MS = 60_000;

    private UsageWindows() {}

    public static long start(long timestamp) {
        return timestamp - Math.floorMod(timestamp, WINDOW_MS);
    }

    /**
     * Event time is the record's {@code timestamp}; a partition without records for {@code
     * idleness} stops holding the watermark back, so that one quiet partition does not stall every
     * total.
     */
    public static WatermarkStrategy<UsageRecord> watermarks(
            Duration outOfOrderness, Duration idleness) {
        return WatermarkStrategy.<UsageRecord>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((usage, kafkaTime) -> usage.timestamp)
                .withIdleness(idleness);
    }

    /** The totals of {@code records}, as one window's or one correction's. */
    static WindowTotal total(String tenant, long windowStart, Iterable<UsageRecord> records) {
        WindowTotal t = new WindowTotal();
        t.tenant = tenant;
        t.windowStart = windowStart;
        BigDecimal cost = BigDecimal.ZERO;
        for (UsageRecord u : records) {
            t.turns++;
            t.inputTokens += u.inputTokens;
            t.outputTokens += u.outputTokens;
            t.totalTokens += u.totalTokens;
            t.cacheReadInputTokens += u.cacheReadInputTokens;
            t.cacheCreationInputTokens += u.cacheCreationInputTokens;
            t.calls += u.attempts > 0 ? 1 : 0;
            t.cacheHits += u.cacheHit ? 1 : 0;
            if (u.cost == null) {
                t.unpriced++;
            } else {
                cost = cost.add(new BigDecimal(u.cost));
            }
            if (u.costCurrency != null) {
                t.costCurrency = u.costCurrency;
            }
        }
        t.cost = UsageRecords.plain(cost);
        return t;
    }
}
