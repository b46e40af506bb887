package dev.agentstream.udfs.quota;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the quota stage holds tenants to their limits.
 *
 * @param window the span of the sliding window the rate is held over: in any window, a tenant's
 *     turns reserve at most its tokens per minute times the window's share of a minute
 * @param budgetPeriod the budget's period; periods are aligned to the epoch (a day is a UTC day)
 * @param reservationTtl how long a reservation waits for its usage record; at least the window
 * @param table every tenant's limits
 */
public record QuotaSettings(
        Duration window, Duration budgetPeriod, Duration reservationTtl, QuotaTable table)
        implements Serializable {

    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
    public static final Duration DEFAULT_BUDGET_PERIOD = Duration.ofDays(1);
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(1);
    public static final Duration DEFAULT_RESERVATION_TTL = Duration.ofMinutes(15);

    public QuotaSettings {
        Preconditions.checkArgument(
                window != null && window.toMillis() > 0, "quota.window must be > 0: %s", window);
        Preconditions.checkArgument(
                budgetPeriod != null && budgetPeriod.toMillis() > 0,
                "quota.budget-period must be > 0: %s",
                budgetPeriod);
        Preconditions.checkArgument(
                reservationTtl != null && reservationTtl.compareTo(window) >= 0,
                "quota.reservation-ttl (%s) must be at least quota.window (%s)",
                reservationTtl,
                window);
        Preconditions.checkNotNull(table, "table");
        check("the default", table.defaults(), window);
        table.tenants().forEach((tenant, limits) -> check("tenant " + tenant, limits, window));
    }

    /** No limit for anyone: the stage lets every turn through. */
    public static QuotaSettings none() {
        return new QuotaSettings(
                DEFAULT_WINDOW,
                DEFAULT_BUDGET_PERIOD,
                DEFAULT_RESERVATION_TTL,
                QuotaTable.of(QuotaLimits.NONE));
    }

    private static void check(String who, QuotaLimits limits, Duration window) {
        Preconditions.checkArgument(
                !limits.hasRate() || limits.capacity(window) > 0,
                "%s: %s tokens per minute is less than one token per quota.window of %s",
                who,
                limits.tokensPerMinute(),
                window);
    }
}
