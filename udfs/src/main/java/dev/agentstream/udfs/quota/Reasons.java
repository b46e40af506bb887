package dev.agentstream.udfs.quota;

import org.apache.flink.util.TimeUtils;

/** The words a rejected turn's sender reads: which limit, whose, and how long the turn waited. */
final class Reasons {

    private Reasons() {}

    static String never(
            String tenant,
            WaitingTurn w,
            Ledger.Block why,
            QuotaLimits limits,
            QuotaSettings settings) {
        String limit =
                why == Ledger.Block.RATE
                        ? limits.capacity(settings.window())
                                + " tokens per "
                                + TimeUtils.formatWithHighestUnit(settings.window())
                                + " (quota.tokens-per-minute "
                                + limits.tokensPerMinute()
                                + ")"
                        : limits.budgetTokens()
                                + " tokens per "
                                + TimeUtils.formatWithHighestUnit(settings.budgetPeriod())
                                + " (quota.budget-tokens)";
        return "quota exceeded: the turn needs an estimated "
                + w.estimate
                + " tokens, more than tenant "
                + tenant
                + " may ever use at once: "
                + limit;
    }

    static String waited(
            String tenant,
            WaitingTurn w,
            Ledger.Block why,
            QuotaLimits limits,
            QuotaSettings settings) {
        String limit =
                why == Ledger.Block.RATE
                        ? "its quota of "
                                + limits.tokensPerMinute()
                                + " tokens per minute (quota.tokens-per-minute)"
                        : "its budget of "
                                + limits.budgetTokens()
                                + " tokens per "
                                + TimeUtils.formatWithHighestUnit(settings.budgetPeriod())
                                + " (quota.budget-tokens)";
        return "quota exceeded: tenant "
                + tenant
                + " is at "
                + limit
                + "; the turn of an estimated "
                + w.estimate
                + " tokens waited "
                + TimeUtils.formatWithHighestUnit(limits.maxWait())
                + " (quota.max-wait)";
    }
}
