package dev.agentstream.udfs.billing;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkOutputMultiplexer;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.clock.ManualClock;
import org.apache.flink.util.clock.RelativeClock;

import dev.agentstream.udfs.emit.UsageRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UsageTotalsFunctionTest {

    /** The start of a minute, and times within it and the next. */
    private static final long T0 = 1_700_000_040_000L;

    private static final long MINUTE = UsageWindows.WINDOW_MS;
    private static final long END_OF_T0 = T0 + MINUTE - 1;
    private static final Duration LATENESS = Duration.ofMinutes(5);
    private static final Duration FLUSH = Duration.ofSeconds(10);

    @Test
    void shouldWriteTheWholeWindowOnceTheWatermarkPassesIt() throws Exception {
        try (var harness = harness()) {
            harness.processElement(at("u1", "acme", T0 + 1_000, 100, 20, "0.0001"));
            harness.processElement(at("u2", "acme", T0 + 2_000, 50, 5, "0.00005"));
            harness.processElement(at("u3", "acme", T0 + MINUTE + 1, 7, 7, "0.1"));
            harness.processElement(at("u4", "globex", T0 + 3_000, 1, 1, null));

            harness.processWatermark(END_OF_T0);

            List<WindowTotal> out = harness.extractOutputValues();
            assertThat(out).extracting(t -> t.tenant).containsExactlyInAnyOrder("acme", "globex");
            WindowTotal acme = only(out, "acme");
            assertThat(acme.windowStart).isEqualTo(T0);
            assertThat(acme.closed).isTrue();
            assertThat(acme.turns).isEqualTo(2);
            assertThat(acme.calls).isEqualTo(2);
            assertThat(acme.inputTokens).isEqualTo(150);
            assertThat(acme.outputTokens).isEqualTo(25);
            assertThat(acme.totalTokens).isEqualTo(175);
            assertThat(acme.cacheReadInputTokens).isEqualTo(30);
            assertThat(acme.cost).isEqualTo("0.00015");
            assertThat(only(out, "globex").unpriced).isEqualTo(1);
            assertThat(only(out, "globex").cost).isEqualTo("0");
        }
    }

    @Test
    void shouldWriteTheWholeTotalAgainForARecordWithinTheLateness() throws Exception {
        try (var harness = harness()) {
            harness.processElement(at("u1", "acme", T0 + 1_000, 100, 20, "0.0001"));
            harness.processWatermark(END_OF_T0 + 60_000);

            harness.processElement(at("u2", "acme", T0 + 5_000, 10, 2, "0.00001"));

            List<WindowTotal> out = harness.extractOutputValues();
            assertThat(out).hasSize(2);
            assertThat(out.get(1).turns).isEqualTo(2); // absolute: both records, not the one
            assertThat(out.get(1).inputTokens).isEqualTo(110);
            assertThat(out.get(1).cost).isEqualTo("0.00011");
            assertThat(out.get(1).closed).isTrue();
            assertThat(harness.getSideOutput(UsageTotalsFunction.LATE)).isNullOrEmpty();
        }
    }

    @Test
    void shouldWriteARecordPastTheLatenessAsACorrectionAndForgetTheWindow() throws Exception {
        try (var harness = harness()) {
            harness.processElement(at("u1", "acme", T0 + 1_000, 100, 20, "0.0001"));
            harness.processWatermark(END_OF_T0 + LATENESS.toMillis());
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();

            harness.processElement(at("u9", "acme", T0 + 2_000, 30, 3, "0.00003"));

            assertThat(harness.extractOutputValues()).hasSize(1);
            List<WindowTotal> late = values(harness.getSideOutput(UsageTotalsFunction.LATE));
            assertThat(late)
                    .singleElement()
                    .satisfies(
                            c -> {
                                assertThat(c.lateUsageId).isEqualTo("u9");
                                assertThat(c.windowStart).isEqualTo(T0);
                                assertThat(c.turns).isEqualTo(1);
                                assertThat(c.inputTokens).isEqualTo(30);
                                assertThat(c.cost).isEqualTo("0.00003");
                            });
            assertThat(harness.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void shouldWriteAProvisionalTotalWhenNoWatermarkComes() throws Exception {
        try (var harness = harness()) {
            harness.setProcessingTime(0);
            harness.processElement(at("u1", "acme", T0 + 1_000, 100, 20, "0.0001"));
            harness.processElement(at("u2", "acme", T0 + 2_000, 100, 20, "0.0001"));

            harness.setProcessingTime(FLUSH.toMillis());
            harness.setProcessingTime(3 * FLUSH.toMillis()); // nothing changed: nothing again

            assertThat(harness.extractOutputValues())
                    .singleElement()
                    .satisfies(
                            t -> {
                                assertThat(t.closed).isFalse();
                                assertThat(t.turns).isEqualTo(2);
                            });
        }
    }

    @Test
    void shouldCountARecordSeenTwiceOnce() throws Exception {
        try (var harness = harness()) {
            harness.processElement(at("u1", "acme", T0 + 1_000, 100, 20, "0.0001"));
            harness.processElement(at("u1", "acme", T0 + 1_000, 100, 20, "0.0001"));
            harness.processWatermark(END_OF_T0);

            assertThat(harness.extractOutputValues())
                    .singleElement()
                    .satisfies(t -> assertThat(t.inputTokens).isEqualTo(100));
        }
    }

    @Test
    void shouldNotLetAQuietPartitionHoldTheWatermarkBack() {
        ManualClock clock = new ManualClock(Duration.ofHours(1).toNanos()); // 0 means unset
        WatermarkStrategy<UsageRecord> strategy =
                UsageWindows.watermarks(Duration.ofSeconds(2), Duration.ofSeconds(30));
        List<Long> combined = new ArrayList<>();
        WatermarkOutputMultiplexer partitions = new WatermarkOutputMultiplexer(capture(combined));
        partitions.registerNewOutput("p0");
        partitions.registerNewOutput("p1");
        WatermarkGenerator<UsageRecord> p0 = strategy.createWatermarkGenerator(context(clock));
        WatermarkGenerator<UsageRecord> p1 = strategy.createWatermarkGenerator(context(clock));
        TimestampAssigner<UsageRecord> time = strategy.createTimestampAssigner(null);
        UsageRecord busy = record("u1", "acme", T0 + MINUTE + 5_000, 1, 1, "0");

        p0.onEvent(busy, time.extractTimestamp(busy, 0), partitions.getDeferredOutput("p0"));
        emit(p0, p1, partitions);
        assertThat(combined).isEmpty(); // p1 has said nothing: it holds the watermark back

        clock.advanceTime(Duration.ofSeconds(31));
        p0.onEvent(busy, time.extractTimestamp(busy, 0), partitions.getDeferredOutput("p0"));
        emit(p0, p1, partitions);

        // p1 is idle now: the watermark is p0's, past the end of T0's window.
        assertThat(combined).isNotEmpty();
        assertThat(combined.get(combined.size() - 1)).isGreaterThan(END_OF_T0);
    }

    // ------------------------------------------------------------------ helpers

    private static KeyedOneInputStreamOperatorTestHarness<String, UsageRecord, WindowTotal>
            harness() throws Exception {
        var harness =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new UsageTotalsFunction(LATENESS, FLUSH)),
                        u -> u.tenant + "\n" + UsageWindows.start(u.timestamp),
                        Types.STRING);
        harness.open();
        return harness;
    }

    private static StreamRecord<UsageRecord> at(
            String id, String tenant, long time, int in, int out, String cost) {
        return new StreamRecord<>(record(id, tenant, time, in, out, cost), time);
    }

    private static UsageRecord record(
            String id, String tenant, long time, int in, int out, String cost) {
        UsageRecord u = new UsageRecord();
        u.usageId = id;
        u.tenant = tenant;
        u.thread = "t";
        u.timestamp = time;
        u.inputTokens = in;
        u.outputTokens = out;
        u.totalTokens = in + out;
        u.cacheReadInputTokens = in / 5;
        u.attempts = 1;
        u.status = "ok";
        u.cost = cost;
        u.costCurrency = "USD";
        return u;
    }

    private static WindowTotal only(List<WindowTotal> totals, String tenant) {
        return totals.stream().filter(t -> t.tenant.equals(tenant)).findFirst().orElseThrow();
    }

    private static <T> List<T> values(java.util.Queue<StreamRecord<T>> records) {
        return records == null ? List.of() : records.stream().map(StreamRecord::getValue).toList();
    }

    private static void emit(
            WatermarkGenerator<UsageRecord> p0,
            WatermarkGenerator<UsageRecord> p1,
            WatermarkOutputMultiplexer partitions) {
        p0.onPeriodicEmit(partitions.getDeferredOutput("p0"));
        p1.onPeriodicEmit(partitions.getDeferredOutput("p1"));
        partitions.onPeriodicEmit();
    }

    private static WatermarkOutput capture(List<Long> watermarks) {
        return new WatermarkOutput() {
            @Override
            public void emitWatermark(Watermark watermark) {
                watermarks.add(watermark.getTimestamp());
            }

            @Override
            public void markIdle() {}

            @Override
            public void markActive() {}
        };
    }

    private static WatermarkGeneratorSupplier.Context context(RelativeClock clock) {
        return new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        };
    }
}
