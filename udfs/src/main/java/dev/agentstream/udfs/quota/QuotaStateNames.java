package dev.agentstream.udfs.quota;

/**
 * Names of the quota operator's keyed state (see {@link QuotaFunction}), for the tools that read
 * and rewrite savepoints. A savepoint finds state by these names: never change one. None has a TTL.
 */
public final class QuotaStateNames {

    /** The tenant's {@link QuotaHead}. */
    public static final String HEAD = "quota-head";

    /** Map of sequence number to {@link Reservation}: the window and what awaits its usage. */
    public static final String RESERVATIONS = "quota-reservations";

    /** Map of usage id to the sequence number of its reservation, until settled or expired. */
    public static final String RESERVATION_IDS = "quota-reservation-ids";

    /** Map of sequence number to {@link WaitingTurn}: turns over quota, first in first out. */
    public static final String WAITING = "quota-waiting";

    private QuotaStateNames() {}
}
