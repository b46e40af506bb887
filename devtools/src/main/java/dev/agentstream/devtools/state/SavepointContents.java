package dev.agentstream.devtools.state;

import org.apache.flink.runtime.state.ttl.TtlValue;

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
 * What a savepoint holds of the job's tenants: every thread of the thread-context operator, every
 * conversation's turn count, and the turns in flight in the LLM-call stage.
 *
 * @param operators the uids of the operators that have state in the savepoint
 * @param threadKeys every key of the thread-context operator
 * @param conversationKeys every key of the conversation-budget operator
 * @param inFlight the turns async I/O kept
 */
public record SavepointContents(
        SortedSet<String> operators,
        List<KeyState> threadKeys,
        List<KeyState> conversationKeys,
        List<InFlightTurn> inFlight) {

    /** Every tenant that owns any of the state above. */
    public SortedSet<String> tenants() {
        SortedSet<String> out = new TreeSet<>();
        threadKeys.forEach(k -> out.add(TenantNames.tenantOf(k.key)));
        conversationKeys.forEach(k -> out.add(TenantNames.tenantOf(k.key)));
        inFlight.forEach(t -> out.add(t.tenant));
        return out;
    }

    /** The threads of {@code tenant}, or of every tenant when empty, by tenant and thread id. */
    public List<ThreadView> threads(Optional<String> tenant) {
        List<ThreadView> out = new ArrayList<>();
        for (KeyState key : threadKeys) {
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
        return threadKeys.stream().filter(k -> k.key.equals(key)).findFirst().map(this::decode);
    }

    /** Turns counted per conversation ({@code tenant/root-thread}). */
    public Map<String, Integer> conversationTurns() {
        StateSpec spec =
                Layouts.CONVERSATION_BUDGET.state(ConversationBudgetFunction.TURNS).orElseThrow();
        Map<String, Integer> out = new TreeMap<>();
        for (KeyState key : conversationKeys) {
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

    /** The turns in flight of {@code tenant}. */
    public List<InFlightTurn> inFlight(String tenant) {
        return inFlight.stream().filter(t -> tenant.equals(t.tenant)).toList();
    }

    private ThreadView decode(KeyState key) {
        try {
            return ThreadView.of(key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode thread " + key.key, e);
        }
    }
}
