package dev.agentstream.udfs.billing;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

import dev.agentstream.udfs.emit.UsageRecord;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.Map;

/**
 * Counters of what each usage record bills, per tenant, agent and provider, as user variables of
 * the operator's metric group ({@code tenant}, {@code agent}, {@code provider} labels in
 * Prometheus): {@code usageTurns}, {@code usageInputTokens}, {@code usageOutputTokens} and {@code
 * usageCostMicros} (the cost in millionths of the price table's currency, rounded down per record).
 *
 * <p>For watching, not for billing: a restore replays turns and these counters count them again,
 * where the usage topic (exactly once) does not. At most {@link #MAX_SERIES} label sets per subtask
 * get series of their own; records of any further ones count under tenant {@value #OTHER}, so that
 * a flood of tenants cannot flood the metrics system.
 */
public final class UsageMetrics {

    static final int MAX_SERIES = 500;
    static final String OTHER = "_other";

    private static final BigDecimal MICROS = BigDecimal.valueOf(1_000_000);

    private final MetricGroup operator;
    private final Map<String, Series> series = new HashMap<>();

    public UsageMetrics(MetricGroup operator) {
        this.operator = operator;
    }

    /** Counts {@code record} under its tenant, agent and provider. */
    public void count(UsageRecord record) {
        Series s = series(record.tenant, record.agent, record.providerName);
        s.turns.inc();
        s.inputTokens.inc(record.inputTokens);
        s.outputTokens.inc(record.outputTokens);
        if (record.cost != null) {
            s.costMicros.inc(new BigDecimal(record.cost).multiply(MICROS).longValue());
        }
    }

    private Series series(String tenant, String agent, String provider) {
        String key = tenant + '\u0000' + agent + '\u0000' + provider;
        Series s = series.get(key);
        if (s != null) {
            return s;
        }
        if (series.size() >= MAX_SERIES) {
            return series.computeIfAbsent(OTHER, k -> new Series(operator, OTHER, "", ""));
        }
        s = new Series(operator, tenant, agent, provider);
        series.put(key, s);
        return s;
    }

    /** The counters of one label set. */
    private static final class Series {
        final Counter turns;
        final Counter inputTokens;
        final Counter outputTokens;
        final Counter costMicros;

        Series(MetricGroup operator, String tenant, String agent, String provider) {
            MetricGroup group =
                    operator.addGroup("tenant", label(tenant))
                            .addGroup("agent", label(agent))
                            .addGroup("provider", label(provider));
            turns = group.counter("usageTurns");
            inputTokens = group.counter("usageInputTokens");
            outputTokens = group.counter("usageOutputTokens");
            costMicros = group.counter("usageCostMicros");
        }

        private static String label(String value) {
            return value == null || value.isEmpty() ? "none" : value;
        }
    }
}
