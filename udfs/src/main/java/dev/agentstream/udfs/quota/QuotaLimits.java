package dev.agentstream.udfs.quota;

import org.apache.flink.util.Preconditions;

import java.io.Serializable;
import java.time.Duration;

/**
 * One tenant's limits. A limit of 0 is no limit; a tenant with neither is never held back.
 *
 * @param tokensPerMinute tokens the tenant's turns may use per minute, reservations included
 * @param budgetTokens tokens the tenant's turns may use per budget period
 * @param maxWait how long a turn over quota waits for room before it is rejected
 */
public record QuotaLimits(long tokensPerMinute, long budgetTokens, Duration maxWait)
        implements Serializable {

    public static final QuotaLimits NONE = new QuotaLimits(0, 0, Duration.ZERO);

    public QuotaLimits {
        Preconditions.checkArgument(
                tokensPerMinute >= 0, "tokens-per-minute must be >= 0: %s", tokensPerMinute);
        Preconditions.checkArgument(
                budgetTokens >= 0, "budget-tokens must be >= 0: %s", budgetTokens);
        Preconditions.checkArgument(
                maxWait != null && !maxWait.isNegative(), "max-wait must be >= 0: %s", maxWait);
    }

    public boolean unlimited() {
        return tokensPerMinute == 0 && budgetTokens == 0;
    }

    public boolean hasRate() {
        return tokensPerMinute > 0;
    }

    public boolean hasBudget() {
        return budgetTokens > 0;
    }

    /**
     * Tokens that may be reserved within one {@code window}: the window's share of {@link
     * #tokensPerMinute}, e.g. 1,000 for 6,000 per minute and a window of 10 s.
     */
    public long capacity(Duration window) {
        long windowMs = window.toMillis();
        if (tokensPerMinute > Long.MAX_VALUE / windowMs) {
            return Long.MAX_VALUE / 60_000;
        }
        return tokensPerMinute * windowMs / 60_000;
    }
}
