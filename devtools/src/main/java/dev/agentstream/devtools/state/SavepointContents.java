package dev.agentstream.devtools.state;

import org.apache.flink.runtime.state.ttl.TtlValue;
import org.apache.flink.util.Preconditions;

import dev.agentstream.udfs.conversation.ConversationBudgetFunction;
import dev.agentstream.udfs.tenant.TenantNames;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a savepoint holds of the job's tenants: every key of the keyed operators the tool knows
 * (thread context, conversation budgets, quotas, the billing stages), the turns in flight in the
 * LLM-call stage, and the requests the DynamoDB sinks buffered.
 *
 * @param operators the uids of the operators that have state in the savepoint
 * @param keys by operator uid ({@link Layouts#KEYED}): every key the operator holds; an operator
 *     without state in the savepoint has none
 * @param inFlight the turns async I/O kept
 * @param bufferedWrites the requests the DynamoDB sinks' writers held
 */
public record SavepointContents(
        SortedSet<String> operators,
        Map<String, List<KeyState>> keys,
        List<InFlightTurn> inFlight,
        List<BufferedWrite> bufferedWrites) {

    public SavepointContents {
        keys = Map.copyOf(keys);
        inFlight = List.copyOf(inFlight);
        bufferedWrites = List.copyOf(bufferedWrites);
    }

    /** Every key of the operator {@code layout} describes. */
    public List<KeyState> keysOf(KeyedLayout layout) {
        return keys.getOrDefault(layout.uid(), List.of());
    }

    /** The keys of {@code layout}'s operator that belong to {@code tenant}. */
    public List<KeyState> keysOf(KeyedLayout layout, String tenant) {
        return keysOf(layout).stream().filter(k -> tenant.equals(layout.tenantOf(k.key))).toList();
    }

    /** Every key of the thread-context operator. */
    public List<KeyState> threadKeys() {
        return keysOf(Layouts.THREAD_CONTEXT);
    }

    /** Every key of the conversation-budget operator. */
    public List<KeyState> conversationKeys() {
        return keysOf(Layouts.CONVERSATION_BUDGET);
    }

    /** Every key of the quota operator. */
    public List<KeyState> quotaKeys() {
        return keysOf(Layouts.QUOTA);
    }

    /** Every tenant that owns any of the state above. */
    public SortedSet<String> tenants() {
        SortedSet<String> out = new TreeSet<>();
        for (KeyedLayout layout : Layouts.KEYED) {
            keysOf(layout).forEach(k -> out.add(layout.tenantOf(k.key)));
        }
        inFlight.forEach(t -> out.add(t.tenant));
        bufferedWrites.stream().filter(w -> !w.tenant.isEmpty()).forEach(w -> out.add(w.tenant));
        return out;
    }

    /**
     * Checks that the savepoint holds something of {@code tenant}, when one is given.
     *
     * @throws IllegalArgumentException naming the tenants it does hold, when it holds nothing
     */
    public void requireTenant(String tenant) {
        if (tenant == null) {
            return;
        }
        Preconditions.checkArgument(TenantNames.isValid(tenant), "not a tenant name: %s", tenant);
        SortedSet<String> known = tenants();
        Preconditions.checkArgument(
                known.contains(tenant),
                "the savepoint holds nothing of tenant %s (it holds %s)",
                tenant,
                known.isEmpty() ? "no tenant" : String.join(", ", known));
    }

    /** The threads of {@code tenant}, or of every tenant when empty, by tenant and thread id. */
    public List<ThreadView> threads(Optional<String> tenant) {
        List<ThreadView> out = new ArrayList<>();
        for (KeyState key : threadKeys()) {
            if (tenant.isEmpty() || tenant.get().equals(TenantNames.tenantOf(key.key))) {
                out.add(decode(key));
            }
        }
        out.sort(
                (a, b) ->
                        a.tenant().equals(b.tenant())
                                ? a.thread().compareTo(b.thread())
                                : a.tenant().compareTo(b.tenant()));
        return out;
    }

    public Optional<ThreadView> thread(String tenant, String thread) {
        String key = TenantNames.key(tenant, thread);
        return threadKeys().stream().filter(k -> k.key.equals(key)).findFirst().map(this::decode);
    }

    /** Turns counted per conversation ({@code tenant/root-thread}). */
    public Map<String, Integer> conversationTurns() {
        StateSpec spec =
                Layouts.CONVERSATION_BUDGET.state(ConversationBudgetFunction.TURNS).orElseThrow();
        Map<String, Integer> out = new TreeMap<>();
        for (KeyState key : conversationKeys()) {
            for (StateEntry entry : key.entriesOf(spec.name())) {
                try {
                    out.put(
                            key.key,
                            (Integer) ((TtlValue<?>) spec.decodeValue(entry.value)).getUserValue());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return out;
    }

    /** The quota state of every tenant that has any, by tenant. */
    public List<QuotaView> quotas() {
        List<QuotaView> out = new ArrayList<>();
        for (KeyState key : quotaKeys()) {
            try {
                out.add(QuotaView.of(key));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot decode the quota of " + key.key, e);
            }
        }
        out.sort((a, b) -> a.tenant().compareTo(b.tenant()));
        return out;
    }

    /** The quota state of {@code tenant}, when it has any. */
    public Optional<QuotaView> quota(String tenant) {
        return quotas().stream().filter(q -> q.tenant().equals(tenant)).findFirst();
    }

    /** The turns in flight of {@code tenant}. */
    public List<InFlightTurn> inFlight(String tenant) {
        return inFlight.stream().filter(t -> tenant.equals(t.tenant)).toList();
    }

    /** The buffered requests whose items name {@code tenant}. */
    public List<BufferedWrite> bufferedWrites(String tenant) {
        return bufferedWrites.stream().filter(w -> tenant.equals(w.tenant)).toList();
    }

    private ThreadView decode(KeyState key) {
        try {
            return ThreadView.of(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode thread " + key.key, e);
        }
    }
}
