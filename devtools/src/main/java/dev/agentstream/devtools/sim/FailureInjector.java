package dev.agentstream.devtools.sim;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

/** Counts down the chat requests that must fail, and with which HTTP status. Thread-safe. */
final class FailureInjector {

    private record Plan(int remaining, int status) {}

    private final AtomicReference<Plan> plan = new AtomicReference<>(new Plan(0, 0));

    /** Replaces any pending plan: the next {@code count} requests fail with {@code status}. */
    void arm(int count, int status) {
        plan.set(new Plan(count, status));
    }

    /** The status the current request must fail with, or empty when it must succeed. */
    OptionalInt next() {
        Plan before =
                plan.getAndUpdate(
                        p -> p.remaining() > 0 ? new Plan(p.remaining() - 1, p.status()) : p);
        return before.remaining() > 0 ? OptionalInt.of(before.status()) : OptionalInt.empty();
    }
}
