package dev.agentstream.devtools.state;

import org.apache.flink.state.api.OperatorIdentifier;

import dev.agentstream.udfs.tenant.TenantNames;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * The keyed state of one operator of the job: its uid, every state it registers, and how the tenant
 * of one of its keys is told: by default the part before the first {@code /} ({@link
 * TenantNames#key}), so that a tenant's keys are found by their prefix.
 *
 * @param uid the operator's uid (see {@code OperatorIds})
 * @param states every keyed state the operator registers
 * @param tenants the tenant of a key, as the operator's own key selector builds keys
 */
public record KeyedLayout(String uid, List<StateSpec> states, KeyTenant tenants)
        implements Serializable {

    /** The tenant of a key of one operator: the function the operator itself uses. */
    @FunctionalInterface
    public interface KeyTenant extends Serializable {
        String of(String key);
    }

    public KeyedLayout {
        states = List.copyOf(states);
    }

    /** An operator keyed by {@code tenant/id}. */
    public KeyedLayout(String uid, List<StateSpec> states) {
        this(uid, states, TenantNames::tenantOf);
    }

    public OperatorIdentifier id() {
        return OperatorIdentifier.forUid(uid);
    }

    /** The tenant a key of this operator belongs to. */
    public String tenantOf(String key) {
        return tenants.of(key);
    }

    public Optional<StateSpec> state(String name) {
        return states.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
