package dev.agentstream.devtools.state;

import dev.agentstream.udfs.quota.QuotaHead;
import dev.agentstream.udfs.quota.Reservation;
import dev.agentstream.udfs.quota.WaitingTurn;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.Map;

/** How the state tool prints a tenant's quota. Never a prompt: turns are named by thread. */
final class QuotaText {

    private QuotaText() {}

    static void print(QuotaView q, PrintWriter out) {
        out.printf("quota of tenant %s%n", q.tenant());
        QuotaHead h = q.head();
        if (h != null) {
            out.printf(
                    "  window: %d tokens; budget: %d tokens in the period from %s%n",
                    h.windowTokens, h.budgetUsed, Instant.ofEpochMilli(h.budgetPeriod));
        }
        out.printf(
                "  reservations %d (%d awaiting usage), waiting %d, timers %d%n",
                q.reservations().size(), q.unsettled(), q.waiting().size(), q.timers().length);
        for (Map.Entry<Long, Reservation> e : q.reservations().entrySet()) {
            Reservation r = e.getValue();
            out.printf(
                    "  #%-4d %s  estimate %d, charged %d, %s  %s%n",
                    e.getKey(),
                    r.usageId,
                    r.estimate,
                    r.tokens,
                    r.settled ? "settled" : "awaiting usage",
                    Instant.ofEpochMilli(r.admittedAt));
        }
        for (Map.Entry<Long, WaitingTurn> e : q.waiting().entrySet()) {
            WaitingTurn w = e.getValue();
            out.printf(
                    "  waiting #%d: %s on thread %s, estimate %d, since %s, until %s%n",
                    e.getKey(),
                    w.turn == null ? "-" : w.turn.agent,
                    w.turn == null ? "-" : w.turn.thread,
                    w.estimate,
                    Instant.ofEpochMilli(w.arrivedAt),
                    Instant.ofEpochMilli(w.deadline));
        }
        for (long timer : q.timers()) {
            out.printf("  timer at %s%n", Instant.ofEpochMilli(timer));
        }
    }
}
