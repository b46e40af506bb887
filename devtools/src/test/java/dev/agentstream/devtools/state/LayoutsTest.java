package dev.agentstream.devtools.state;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.configuration.Configuration;

import dev.agentstream.job.StageSettings;
import dev.agentstream.udfs.billing.BillingKeys;
import dev.agentstream.udfs.billing.ThreadIndexFunction;
import dev.agentstream.udfs.billing.UsageTotalsFunction;
import dev.agentstream.udfs.context.ThreadContextFunction;
import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.quota.QuotaFunction;
import dev.agentstream.udfs.quota.QuotaSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each layout of the state tool names the states its operator registers, as the operator registers
 * them: names, value or map, TTL, and the serializers of keys and values. A state added to a stage
 * and not to its layout would be lost by {@code erase-tenant}, which rewrites the layout's states
 * only.
 */
class LayoutsTest {

    @Test
    void shouldNameEveryStateOfTheThreadContext() {
        assertMatches(
                Layouts.THREAD_CONTEXT,
                new ThreadContextFunction(
                                null,
                                StageSettings.contextSettings(new Configuration()),
                                EnvelopeLimits.defaults(),
                                null)
                        .keyedStateDescriptors());
    }

    @Test
    void shouldNameEveryStateOfTheConversationBudget() {
        assertMatches(
                Layouts.CONVERSATION_BUDGET,
                new ConversationBudgetFunction(1, Duration.ofHours(1)).keyedStateDescriptors());
    }

    @Test
    void shouldNameEveryStateOfTheQuota() {
        assertMatches(
                Layouts.QUOTA, new QuotaFunction(QuotaSettings.none()).keyedStateDescriptors());
    }

    @Test
    void shouldNameEveryStateOfTheBillingStages() {
        assertMatches(
                Layouts.USAGE_TOTALS,
                new UsageTotalsFunction(Duration.ZERO, Duration.ofSeconds(1))
                        .keyedStateDescriptors());
        assertMatches(
                Layouts.THREAD_INDEX,
                new ThreadIndexFunction(Duration.ofHours(1)).keyedStateDescriptors());
    }

    @Test
    void shouldTellTheTenantOfAQuotaKeyWithAndWithoutAThread() {
        assertThat(Layouts.QUOTA.tenantOf("acme")).isEqualTo("acme");
        assertThat(Layouts.QUOTA.tenantOf("acme/6f1c")).isEqualTo("acme");
        assertThat(Layouts.THREAD_CONTEXT.tenantOf("acme/6f1c")).isEqualTo("acme");
        assertThat(Layouts.USAGE_TOTALS.tenantOf(BillingKeys.of("acme", "1700000000000")))
                .isEqualTo("acme");
    }

    private static void assertMatches(KeyedLayout layout, List<StateDescriptor<?, ?>> registered) {
        assertThat(layout.states())
                .extracting(StateSpec::name)
                .containsExactlyInAnyOrderElementsOf(
                        registered.stream().map(StateDescriptor::getName).toList());
        for (StateDescriptor<?, ?> d : registered) {
            StateSpec spec = layout.state(d.getName()).orElseThrow();
            d.initializeSerializerUnlessSet(new ExecutionConfig());
            String what = layout.uid() + " " + d.getName();
            assertThat(spec.ttl()).as("TTL of %s", what).isEqualTo(d.getTtlConfig().isEnabled());
            assertThat(spec.map()).as("map %s", what).isEqualTo(d instanceof MapStateDescriptor);
            if (d instanceof MapStateDescriptor<?, ?> map) {
                assertThat(StateSpec.serializer(spec.userKey()))
                        .as("keys of %s", what)
                        .isEqualTo(map.getKeySerializer());
                assertThat(StateSpec.serializer(spec.value()))
                        .as("values of %s", what)
                        .isEqualTo(map.getValueSerializer());
            } else {
                assertThat(StateSpec.serializer(spec.value()))
                        .as("values of %s", what)
                        .isEqualTo(d.getSerializer());
            }
        }
    }
}
