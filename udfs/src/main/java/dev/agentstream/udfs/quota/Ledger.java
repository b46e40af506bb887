package dev.agentstream.udfs.quota;

import java.time.Duration;

/**
 * What a tenant's turns hold of its quota: reservations in a sliding window of processing time for
 * the rate, and a total per budget period. A reservation charges its estimate when the turn is let
 * through and its actual usage once the usage record settles it; one never settled stays charged at
 * its estimate and is dropped after the reservation TTL.
 */
final class Ledger {

    /** Why a turn cannot go now. */
    enum Block {
        RATE,
        BUDGET
    }

    private final QuotaState state;
    private final Duration window;
    private final long windowMs;
    private final long periodMs;
    private final long ttlMs;

    /** Reservations dropped unsettled since the last call of {@link #takeExpired()}. */
    private int expired;

    Ledger(QuotaState state, QuotaSettings settings) {
        this.state = state;
        this.window = settings.window();
        this.windowMs = window.toMillis();
        this.periodMs = settings.budgetPeriod().toMillis();
        this.ttlMs = settings.reservationTtl().toMillis();
    }

    /**
     * Brings {@code h} to {@code now}: reservations out of the window stop counting for the rate,
     * those also settled (or past the TTL) are dropped, and a new budget period starts empty.
     */
    void advance(QuotaHead h, long now) throws Exception {
        while (h.windowFirst < h.logNext) {
            Reservation r = state.log.get(h.windowFirst);
            if (r != null && r.admittedAt > now - windowMs) {
                break;
            }
            h.windowTokens = r == null ? h.windowTokens : Math.max(0, h.windowTokens - r.tokens);
            h.windowFirst++;
        }
        while (h.logFirst < h.windowFirst) {
            Reservation r = state.log.get(h.logFirst);
            if (r != null && !r.settled) {
                if (r.admittedAt > now - ttlMs) {
                    break;
                }
                state.index.remove(r.usageId);
                expired++;
            }
            state.log.remove(h.logFirst);
            h.logFirst++;
        }
        long period = now - Math.floorMod(now, periodMs);
        if (period > h.budgetPeriod) {
            h.budgetPeriod = period;
            h.budgetUsed = 0;
        }
    }

    /** Why {@code estimate} tokens cannot be reserved now, or null when they can. */
    Block blocked(QuotaHead h, long estimate, QuotaLimits limits) {
        if (limits.hasRate() && h.windowTokens + estimate > limits.capacity(window)) {
            return Block.RATE;
        }
        if (limits.hasBudget() && h.budgetUsed + estimate > limits.budgetTokens()) {
            return Block.BUDGET;
        }
        return null;
    }

    /** Why {@code estimate} tokens can never be reserved, however long the turn waits. */
    Block never(long estimate, QuotaLimits limits) {
        if (limits.hasRate() && estimate > limits.capacity(window)) {
            return Block.RATE;
        }
        if (limits.hasBudget() && estimate > limits.budgetTokens()) {
            return Block.BUDGET;
        }
        return null;
    }

    /** Charges {@code estimate} to the window and, when the tenant has one, its budget. */
    void reserve(QuotaHead h, String usageId, long estimate, long now, QuotaLimits limits)
            throws Exception {
        Reservation r = new Reservation();
        r.usageId = usageId;
        r.admittedAt = now;
        r.estimate = estimate;
        r.tokens = estimate;
        r.budgetPeriod = limits.hasBudget() ? h.budgetPeriod : -1;
        long seq = h.logNext++;
        state.log.put(seq, r);
        state.index.put(usageId, seq);
        h.windowTokens += estimate;
        if (limits.hasBudget()) {
            h.budgetUsed += estimate;
        }
    }

    /**
     * Replaces the estimate reserved for {@code usageId} with {@code actual} tokens, in the window
     * while the reservation is in it and in the budget while its period lasts.
     *
     * @return false when nothing was reserved for it (settled before, expired, or never reserved)
     */
    boolean settle(QuotaHead h, String usageId, long actual) throws Exception {
        Long seq = state.index.get(usageId);
        if (seq == null) {
            return false;
        }
        state.index.remove(usageId);
        Reservation r = state.log.get(seq);
        if (r == null || r.settled) {
            return false;
        }
        long delta = actual - r.tokens;
        if (seq >= h.windowFirst) {
            h.windowTokens = Math.max(0, h.windowTokens + delta);
        }
        if (r.budgetPeriod >= 0 && r.budgetPeriod == h.budgetPeriod) {
            h.budgetUsed = Math.max(0, h.budgetUsed + delta);
        }
        r.tokens = actual;
        r.settled = true;
        state.log.put(seq, r);
        return true;
    }

    /**
     * The earliest time a turn blocked for {@code why} could find room without any settlement: when
     * the oldest reservation in the window leaves it, or when the next budget period starts.
     */
    long nextRoom(QuotaHead h, Block why) throws Exception {
        if (why == Block.BUDGET) {
            return h.budgetPeriod + periodMs;
        }
        Reservation oldest = h.windowFirst < h.logNext ? state.log.get(h.windowFirst) : null;
        return oldest == null ? Long.MAX_VALUE : oldest.admittedAt + windowMs;
    }

    /**
     * When the log's first reservation can be dropped: once out of the window if settled, else at
     * the TTL; {@link Long#MAX_VALUE} when the log is empty. The stage wakes then to clean up.
     */
    long nextCleanup(QuotaHead h) throws Exception {
        Reservation first = h.logFirst < h.logNext ? state.log.get(h.logFirst) : null;
        if (first == null) {
            return Long.MAX_VALUE;
        }
        return first.admittedAt + (first.settled ? windowMs : ttlMs);
    }

    /** Start of the budget period after {@code h}'s. */
    long periodEnd(QuotaHead h) {
        return h.budgetPeriod + periodMs;
    }

    int takeExpired() {
        int n = expired;
        expired = 0;
        return n;
    }
}
