package dev.agentstream.udfs.billing;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import dev.agentstream.udfs.emit.UsageRecord;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class UsageMetricsTest {

    @Test
    void shouldCountTokensAndCostPerTenantAgentAndProvider() {
        Recording operator = new Recording("", new TreeMap<>());
        UsageMetrics metrics = new UsageMetrics(operator);

        metrics.count(record("acme", "concierge", "openai", 100, 20, "0.000027"));
        metrics.count(record("acme", "concierge", "openai", 50, 10, "0.0000135"));
        metrics.count(record("globex", "concierge", "", 7, 3, null));

        String acme = "tenant=acme/agent=concierge/provider=openai/";
        assertThat(operator.value(acme + "usageTurns")).isEqualTo(2);
        assertThat(operator.value(acme + "usageInputTokens")).isEqualTo(150);
        assertThat(operator.value(acme + "usageOutputTokens")).isEqualTo(30);
        assertThat(operator.value(acme + "usageCostMicros")).isEqualTo(27 + 13);
        String globex = "tenant=globex/agent=concierge/provider=none/";
        assertThat(operator.value(globex + "usageInputTokens")).isEqualTo(7);
        assertThat(operator.value(globex + "usageCostMicros")).isZero();
    }

    @Test
    void shouldCountTenantsPastTheSeriesLimitTogether() {
        Recording operator = new Recording("", new TreeMap<>());
        UsageMetrics metrics = new UsageMetrics(operator);

        for (int i = 0; i < UsageMetrics.MAX_SERIES + 10; i++) {
            metrics.count(record("t" + i, "a", "p", 1, 0, "0"));
        }

        assertThat(operator.value("tenant=_other/agent=none/provider=none/usageTurns"))
                .isEqualTo(10);
        assertThat(operator.counters.keySet().stream().filter(k -> k.endsWith("usageTurns")))
                .hasSize(UsageMetrics.MAX_SERIES + 1);
    }

    private static UsageRecord record(
            String tenant, String agent, String provider, int in, int out, String cost) {
        UsageRecord u = new UsageRecord();
        u.tenant = tenant;
        u.agent = agent;
        u.providerName = provider;
        u.inputTokens = in;
        u.outputTokens = out;
        u.cost = cost;
        return u;
    }

    /** A metric group that keeps its counters by path, key=value groups included. */
    private static final class Recording extends UnregisteredMetricsGroup {
        final String path;
        final Map<String, Counter> counters;

        Recording(String path, Map<String, Counter> counters) {
            this.path = path;
            this.counters = counters;
        }

        @Override
        public MetricGroup addGroup(String key, String value) {
            return new Recording(path + key + "=" + value + "/", counters);
        }

        @Override
        public Counter counter(String name) {
            return counters.computeIfAbsent(path + name, k -> new SimpleCounter());
        }

        long value(String name) {
            Counter c = counters.get(name);
            return c == null ? -1 : c.getCount();
        }
    }
}
