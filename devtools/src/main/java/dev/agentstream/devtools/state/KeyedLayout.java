package dev.agentstream.devtools.state;

import org.apache.flink.state.api.OperatorIdentifier;

import dev.agentstream.udfs.tenant.TenantNames;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * The keyed state of one operator of the job: its uid and every state it registers. Its keys are
 * strings that start with the tenant ({@link TenantNames#key}), so that a tenant's keys are found
 * by their prefix.
 *
 * @param uid the operator's uid (see {@code OperatorIds})
 * @param states every keyed state the operator registers
 */
public record KeyedLayout(String uid, List<StateSpec> states) implements Serializable {

    public KeyedLayout {
        states = List.copyOf(states);
    }

    public OperatorIdentifier id() {
        return OperatorIdentifier.forUid(uid);
    }

    /** The tenant a key of this operator belongs to. */
    public String tenantOf(String key) {
        return TenantNames.tenantOf(key);
    }

    public Optional<StateSpec> state(String name) {
        return states.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
