package dev.agentstream.udfs.erasure;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.State;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.util.Preconditions;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Clears one tenant's keys from a stage's keyed states and counts what it cleared, per kind. Built
 * once per subtask from the descriptors the stage registers its states with:
 *
 * <pre>{@code
 * TenantStateEraser<String> eraser =
 *         TenantStateEraser.forKeys(TenantNames::tenantOf)
 *                 .keys("thread-contexts", headDescriptor)    // 1 per key holding a value
 *                 .entries("context-slots", slotsDescriptor)  // 1 per map entry or list element
 *                 .clears(busyInputsDescriptor)               // cleared, not counted
 *                 .build(allDescriptors);                     // fails if one is left out
 * }</pre>
 *
 * <p>Each state is visited through {@link KeyedStates} (every key of this subtask that holds it),
 * so an erasure costs one pass over the stage's keys: keys are spread over key groups, and no
 * prefix of a tenant can be sought.
 *
 * @param <K> the stage's key, whose tenant {@code tenantOf} tells
 */
public final class TenantStateEraser<K> {

    /** How one state is counted. */
    private enum Count {
        KEYS,
        ENTRIES,
        NONE
    }

    private record Target(String kind, StateDescriptor<?, ?> descriptor, Count count) {}

    private final Function<K, String> tenantOf;
    private final List<Target> targets;

    private TenantStateEraser(Function<K, String> tenantOf, List<Target> targets) {
        this.tenantOf = tenantOf;
        this.targets = List.copyOf(targets);
    }

    public static <K> Builder<K> forKeys(Function<K, String> tenantOf) {
        return new Builder<>(tenantOf);
    }

    /** Clears every key of {@code tenant} from each state, counting as each state was named. */
    public ErasureTally erase(String tenant, KeyedStates<K> states) throws Exception {
        ErasureTally tally = new ErasureTally();
        for (Target target : targets) {
            if (target.count() != Count.NONE) {
                tally.kind(target.kind());
            }
            clear(tenant, states, target, tally);
        }
        return tally;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void clear(String tenant, KeyedStates<K> states, Target target, ErasureTally tally)
            throws Exception {
        StateDescriptor descriptor = target.descriptor();
        states.forEachKey(
                descriptor,
                (key, state) -> {
                    if (!tenant.equals(tenantOf.apply((K) key))) {
                        return;
                    }
                    long found = count((State) state, target.count());
                    ((State) state).clear();
                    if (target.count() != Count.NONE) {
                        tally.add(target.kind(), found);
                    }
                });
    }

    /** What a key holds in one state: 1 or 0 for a key, the entries of a map or list. */
    private static long count(State state, Count how) throws Exception {
        if (how == Count.NONE) {
            return 0;
        }
        if (state instanceof MapState<?, ?> map) {
            long n = 0;
            for (Object ignored : map.keys()) {
                n++;
            }
            return how == Count.KEYS ? Math.min(n, 1) : n;
        }
        if (state instanceof ListState<?> list) {
            long n = 0;
            Iterable<?> values = list.get();
            if (values != null) {
                for (Object ignored : values) {
                    n++;
                }
            }
            return how == Count.KEYS ? Math.min(n, 1) : n;
        }
        if (state instanceof ValueState<?> value) {
            return value.value() == null ? 0 : 1;
        }
        return 1; // reducing or aggregating state: one value per key
    }

    /** Names each state of the stage with how it is counted. */
    public static final class Builder<K> {

        private final Function<K, String> tenantOf;
        private final List<Target> targets = new ArrayList<>();

        private Builder(Function<K, String> tenantOf) {
            this.tenantOf = Preconditions.checkNotNull(tenantOf, "tenantOf");
        }

        /** Counts 1 for each key of the tenant that holds a value in this state. */
        public Builder<K> keys(String kind, StateDescriptor<?, ?> descriptor) {
            targets.add(new Target(kind, descriptor, Count.KEYS));
            return this;
        }

        /** Counts each entry (map state) or element (list state) of the tenant's keys. */
        public Builder<K> entries(String kind, StateDescriptor<?, ?> descriptor) {
            targets.add(new Target(kind, descriptor, Count.ENTRIES));
            return this;
        }

        /** Clears this state of the tenant's keys without counting it. */
        public Builder<K> clears(StateDescriptor<?, ?> descriptor) {
            targets.add(new Target(null, descriptor, Count.NONE));
            return this;
        }

        /**
         * The eraser, once every state in {@code registered} (the stage's {@link
         * TenantErasable#keyedStateDescriptors()}) has been named: a state added to the stage later
         * but not to its erasure fails here, when the task opens, rather than survive an erasure.
         */
        public TenantStateEraser<K> build(List<StateDescriptor<?, ?>> registered) {
            Set<String> named = new HashSet<>();
            targets.forEach(t -> named.add(t.descriptor().getName()));
            for (StateDescriptor<?, ?> d : registered) {
                Preconditions.checkState(
                        named.contains(d.getName()),
                        "keyed state %s is registered but not erased",
                        d.getName());
            }
            return new TenantStateEraser<>(tenantOf, targets);
        }
    }
}
