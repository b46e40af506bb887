package dev.agentstream.udfs.billing;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import dev.agentstream.udfs.emit.UsageRecord;
import dev.agentstream.udfs.erasure.ErasureTally;
import dev.agentstream.udfs.erasure.KeyedStates;
import dev.agentstream.udfs.erasure.TenantErasable;
import dev.agentstream.udfs.erasure.TenantStateEraser;

import java.time.Duration;
import java.util.List;

/**
 * Keeps the thread index entry of each thread, keyed by (tenant, thread), from the usage records of
 * its turns, and emits the whole entry after each: the item written is always absolute, so a replay
 * from a checkpoint writes the same values again.
 *
 * <p>State: {@code thread-index} (the entry), with the context's TTL. A tenant's erasure ({@link
 * TenantErasable}) emits a {@link ThreadIndexEntry#deleted} entry for each of its threads, so the
 * sink deletes their items, and clears the state.
 */
public class ThreadIndexFunction extends KeyedProcessFunction<String, UsageRecord, ThreadIndexEntry>
        implements TenantErasable<String, ThreadIndexEntry> {

    /** Name of the stage's keyed state, for the tools that read savepoints: never change it. */
    public static final String ENTRY = "thread-index";

    private static final long serialVersionUID = 1L;

    private final Duration ttl;
    private transient ValueState<ThreadIndexEntry> entry;
    private transient TenantStateEraser<String> eraser;

    public ThreadIndexFunction(Duration ttl) {
        this.ttl = ttl;
    }

    @Override
    public void open(OpenContext openContext) {
        entry = getRuntimeContext().getState(entryDescriptor());
        eraser =
                TenantStateEraser.<String>forKeys(BillingKeys::tenantOf)
                        .keys("thread-index-entries", entryDescriptor())
                        .build(keyedStateDescriptors());
    }

    private ValueStateDescriptor<ThreadIndexEntry> entryDescriptor() {
        ValueStateDescriptor<ThreadIndexEntry> descriptor =
                new ValueStateDescriptor<>(ENTRY, TypeInformation.of(ThreadIndexEntry.class));
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        return descriptor;
    }

    @Override
    public String tenantOf(String key) {
        return BillingKeys.tenantOf(key);
    }

    @Override
    public List<StateDescriptor<?, ?>> keyedStateDescriptors() {
        return List.of(entryDescriptor());
    }

    /**
     * Emits a deletion of each of the tenant's entries (its item leaves the index), then clears.
     */
    @Override
    public ErasureTally eraseTenant(
            String tenant, KeyedStates<String> states, Collector<ThreadIndexEntry> out)
            throws Exception {
        states.forEachKey(
                entryDescriptor(),
                (key, state) -> {
                    ThreadIndexEntry e = state.value();
                    if (e != null && tenant.equals(BillingKeys.tenantOf(key))) {
                        out.collect(ThreadIndexEntry.deletion(e.tenant, e.thread));
                    }
                });
        return eraser.erase(tenant, states);
    }

    @Override
    public void processElement(UsageRecord usage, Context ctx, Collector<ThreadIndexEntry> out)
            throws Exception {
        ThreadIndexEntry e = entry.value();
        if (e == null) {
            e = new ThreadIndexEntry();
            e.thread = usage.thread;
            e.tenant = usage.tenant;
            e.firstSeen = usage.timestamp;
            e.lastSeen = usage.timestamp;
        }
        e.firstSeen = Math.min(e.firstSeen, usage.timestamp);
        e.lastSeen = Math.max(e.lastSeen, usage.timestamp);
        e.turns++;
        e.inputTokens += usage.inputTokens;
        e.outputTokens += usage.outputTokens;
        e.totalTokens += usage.totalTokens;
        e.ttl = (e.lastSeen + ttl.toMillis()) / 1000;
        entry.update(e);
        out.collect(e.copy());
    }
}
