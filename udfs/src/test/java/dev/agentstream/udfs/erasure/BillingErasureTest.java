package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

import dev.agentstream.udfs.billing.BillingKeys;
import dev.agentstream.udfs.billing.ThreadIndexEntry;
import dev.agentstream.udfs.billing.ThreadIndexFunction;
import dev.agentstream.udfs.billing.UsageTotalsFunction;
import dev.agentstream.udfs.billing.UsageWindows;
import dev.agentstream.udfs.billing.WindowTotal;
import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.tenant.TenantNames;
import dev.agentstream.udfs.turn.Turn;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;

import static dev.agentstream.udfs.erasure.ErasureHarness.count;
import static dev.agentstream.udfs.erasure.ErasureHarness.erase;
import static dev.agentstream.udfs.erasure.ErasureHarness.keys;
import static dev.agentstream.udfs.erasure.ErasureHarness.parts;
import static org.assertj.core.api.Assertions.assertThat;

/** The conversation budget and the billing stages under erasure. */
class BillingErasureTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final Duration TTL = Duration.ofHours(24);

    @ParameterizedTest
    @MethodSource(ErasureHarness.BACKENDS)
    void shouldForgetATenantsConversationBudgets(StateBackend backend) throws Exception {
        var budget = new ConversationBudgetFunction(5, TTL);
        try (var harness =
                ErasureHarness.wrapped(
                        "conversation-budget",
                        budget,
                        (Turn t) -> TenantNames.key(t.tenant, t.root),
                        Types.STRING,
                        backend)) {
            harness.open();
            harness.processElement(turn("acme", "r1"), 1);
            harness.processElement(turn("acme", "r2"), 2);
            harness.processElement(turn("bravo", "r1"), 3);

            harness.processBroadcastElement(erase("acme"), 4);

            assertThat(count(parts(harness).get(0), "conversation-budgets")).isEqualTo(2);
            assertThat(keys(harness, budget.keyedStateDescriptors()))
                    .containsExactly(TenantNames.key("bravo", "r1"));
        }
    }

    @ParameterizedTest
    @MethodSource(ErasureHarness.BACKENDS)
    void shouldWriteWhatAWindowOwesThenDropItsRecords(StateBackend backend) throws Exception {
        var totals = new UsageTotalsFunction(Duration.ofHours(1), Duration.ofSeconds(10));
        try (var harness =
                ErasureHarness.wrapped(
                        "usage-totals",
                        totals,
                        (UsageRecord u) ->
                                BillingKeys.of(
                                        u.tenant, Long.toString(UsageWindows.start(u.timestamp))),
                        Types.STRING,
                        backend)) {
            harness.open();
            // As in the job, the commands are idle: event time is the usage's (CommandWatermarks).
            harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            harness.processElement(new StreamRecord<>(usage("u1", "acme", "t1", 7), T0));
            harness.processElement(new StreamRecord<>(usage("u2", "acme", "t2", 5), T0));
            harness.processElement(new StreamRecord<>(usage("u3", "bravo", "t3", 3), T0));

            harness.processBroadcastElement(erase("acme"), T0);

            List<WindowTotal> written = harness.extractOutputValues();
            assertThat(written).hasSize(1); // the flush timer has not fired: the erasure writes it
            assertThat(written.get(0).tenant).isEqualTo("acme");
            assertThat(written.get(0).totalTokens).isEqualTo(12);
            ErasurePart part = parts(harness).get(0);
            assertThat(count(part, "timers")).isEqualTo(3); // flush, end, end of lateness
            assertThat(harness.numEventTimeTimers()).isEqualTo(2); // bravo's
            assertThat(count(part, "usage-windows")).isEqualTo(1);
            assertThat(count(part, "usage-records")).isEqualTo(2);
            assertThat(keys(harness, totals.keyedStateDescriptors()))
                    .allSatisfy(k -> assertThat(BillingKeys.tenantOf(k)).isEqualTo("bravo"))
                    .hasSize(1);

            // The window's timers fire on nothing.
            harness.setProcessingTime(T0 + 60_000);
            harness.processWatermark(T0 + 3 * 3_600_000L);
            assertThat(harness.extractOutputValues())
                    .extracting(t -> t.tenant)
                    .containsExactly("acme", "bravo", "bravo");
        }
    }

    @ParameterizedTest
    @MethodSource(ErasureHarness.BACKENDS)
    void shouldDeleteATenantsThreadIndexItems(StateBackend backend) throws Exception {
        var index = new ThreadIndexFunction(TTL);
        try (var harness =
                ErasureHarness.wrapped(
                        "thread-index",
                        index,
                        (UsageRecord u) -> BillingKeys.of(u.tenant, u.thread),
                        Types.STRING,
                        backend)) {
            harness.open();
            harness.processElement(usage("u1", "acme", "t1", 7), T0);
            harness.processElement(usage("u2", "acme", "t2", 5), T0);
            harness.processElement(usage("u3", "bravo", "t1", 3), T0);

            harness.processBroadcastElement(erase("acme"), T0);

            List<ThreadIndexEntry> out = harness.extractOutputValues();
            assertThat(out.subList(3, out.size()))
                    .allSatisfy(e -> assertThat(e.deleted).isTrue())
                    .extracting(e -> e.tenant + "/" + e.thread)
                    .containsExactlyInAnyOrder("acme/t1", "acme/t2");
            assertThat(count(parts(harness).get(0), "thread-index-entries")).isEqualTo(2);
            assertThat(keys(harness, index.keyedStateDescriptors()))
                    .containsExactly(BillingKeys.of("bravo", "t1"));
        }
    }

    private static Turn turn(String tenant, String root) {
        Turn t = new Turn();
        t.tenant = tenant;
        t.root = root;
        t.thread = root;
        t.agent = "greeter";
        return t;
    }

    private static UsageRecord usage(String id, String tenant, String thread, int tokens) {
        UsageRecord u = new UsageRecord();
        u.usageId = id;
        u.tenant = tenant;
        u.thread = thread;
        u.timestamp = T0;
        u.inputTokens = tokens;
        u.totalTokens = tokens;
        u.attempts = 1;
        u.status = "ok";
        u.cost = "0";
        u.costCurrency = "USD";
        return u;
    }
}
