package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.util.Collector;

import java.util.List;

/**
 * A keyed stage whose keys belong to tenants, and that can drop every key of one tenant. Implement
 * it on the stage's {@code KeyedProcessFunction} (which stays a plain keyed function, tested as
 * one) and wire the stage with {@link ErasingFunction}, which broadcasts erase commands to it.
 *
 * <pre>{@code
 * public ErasureTally eraseTenant(String tenant, KeyedStates<String> states, Collector<Out> out)
 *         throws Exception {
 *     return eraser.erase(tenant, states); // a TenantStateEraser built in open()
 * }
 * }</pre>
 *
 * @param <K> the stage's key
 * @param <OUT> what the stage emits; an erasure may emit too (e.g. a last total before it clears)
 */
public interface TenantErasable<K, OUT> {

    /**
     * Clears every key of {@code tenant} from every keyed state of this subtask, and says what it
     * cleared. Runs on the task thread, between elements, with no current key.
     */
    ErasureTally eraseTenant(String tenant, KeyedStates<K> states, Collector<OUT> out)
            throws Exception;

    /** The tenant a key of this stage belongs to: its timers are dropped with its state. */
    String tenantOf(K key);

    /**
     * Descriptors of every keyed state the stage registers, as it registers them (names, types,
     * TTL): what the erasure must cover, and what a State Processor API reader registers to list
     * the stage's keys in a savepoint.
     */
    List<StateDescriptor<?, ?>> keyedStateDescriptors();
}
