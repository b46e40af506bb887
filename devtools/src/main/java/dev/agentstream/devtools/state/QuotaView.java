package dev.agentstream.devtools.state;

import dev.agentstream.udfs.quota.QuotaHead;
import dev.agentstream.udfs.quota.QuotaKeys;
import dev.agentstream.udfs.quota.QuotaStateNames;
import dev.agentstream.udfs.quota.Reservation;
import dev.agentstream.udfs.quota.WaitingTurn;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/**
 * One key of the quota operator as a savepoint holds it: a tenant's head (window and budget
 * totals), its reservations, the usage ids still awaited and the turns waiting for room.
 *
 * @param tenant the tenant
 * @param head the head; null only in a savepoint the stage did not write
 * @param reservations sequence number to reservation, oldest first
 * @param awaited usage id to the sequence number of the reservation its record settles
 * @param waiting sequence number to the turn waiting for room, first in first out
 * @param timers the key's processing-time timers: the waiting turn's retry, the cleanup
 */
public record QuotaView(
        String tenant,
        QuotaHead head,
        Map<Long, Reservation> reservations,
        Map<String, Long> awaited,
        Map<Long, WaitingTurn> waiting,
        long[] timers) {

    /** Decodes a key of the quota operator. */
    public static QuotaView of(KeyState key) throws IOException {
        QuotaHead head = null;
        for (StateEntry e : key.entriesOf(QuotaStateNames.HEAD)) {
            head = (QuotaHead) spec(QuotaStateNames.HEAD).decodeValue(e.value);
        }
        return new QuotaView(
                QuotaKeys.tenantOf(key.key),
                head,
                map(key, QuotaStateNames.RESERVATIONS),
                map(key, QuotaStateNames.RESERVATION_IDS),
                map(key, QuotaStateNames.WAITING),
                key.processingTimers);
    }

    /** Reservations whose usage record has not settled them. */
    public long unsettled() {
        return reservations.values().stream().filter(r -> !r.settled).count();
    }

    /** Tokens charged by every reservation kept: estimates until settled, then actual usage. */
    public long tokensCharged() {
        return reservations.values().stream().mapToLong(r -> r.tokens).sum();
    }

    @SuppressWarnings("unchecked")
    private static <K, V> Map<K, V> map(KeyState key, String state) throws IOException {
        StateSpec spec = spec(state);
        Map<K, V> out = new TreeMap<>();
        for (StateEntry e : key.entriesOf(state)) {
            out.put((K) spec.decodeKey(e.userKey), (V) spec.decodeValue(e.value));
        }
        return out;
    }

    private static StateSpec spec(String state) {
        return Layouts.QUOTA.state(state).orElseThrow();
    }
}
