package dev.agentstream.bench.stream;

import java.time.Duration;

/**
 * What a round sends to the agent.
 *
 * @param envelopes agent envelopes in the round (each one turn and one answer)
 * @param rate envelopes per second offered while the job runs; ignored when {@code preload}
 * @param preload write every envelope before the job starts, so that the job reads a backlog as
 *     fast as it can (for throughput); otherwise they are offered at {@code rate} while it runs
 * @param threads threads written to at once
 * @param threadLength agent envelopes per thread before a fresh thread replaces it
 * @param prefill envelopes of history (to the notes listener, no turn) each thread gets first,
 *     written and read by the job before the measured phase
 * @param duplicateFraction share of fresh threads that repeat an earlier thread's first envelope
 * @param tenants tenants the threads are spread over
 * @param payloadBytes size of each envelope's text
 */
public record Workload(
        int envelopes,
        double rate,
        boolean preload,
        int threads,
        int threadLength,
        int prefill,
        double duplicateFraction,
        int tenants,
        int payloadBytes) {

    /** Beyond twice its sending time, what an offered round waits for its last answers. */
    private static final Duration DRAIN_SLACK = Duration.ofSeconds(15);

    /** What the history phase may take at least: sent unpaced, then read by the job. */
    private static final Duration HISTORY_AT_LEAST = Duration.ofSeconds(120);

    /**
     * How long a round of this workload may run: {@code planned} (the harness's round time), but
     * for envelopes offered at a rate at least twice the time it takes to send them and a slack, so
     * that a side offered more than it can take (the capacity comparison offers 1.5 x its bound)
     * answers its queue instead of leaving it unanswered at the round's end.
     */
    public Duration roundLimit(Duration planned) {
        if (preload || rate <= 0) {
            return planned;
        }
        long sendingMillis = (long) Math.ceil(envelopes * 1000.0 / rate);
        Duration offered = Duration.ofMillis(2 * sendingMillis).plus(DRAIN_SLACK);
        return offered.compareTo(planned) > 0 ? offered : planned;
    }

    /** How long the history phase may take: it ends as soon as each thread's answer is back. */
    public Duration historyLimit(Duration planned) {
        Duration round = roundLimit(planned);
        return round.compareTo(HISTORY_AT_LEAST) > 0 ? round : HISTORY_AT_LEAST;
    }

    /** A backlog of {@code envelopes} on fresh threads, one envelope each. */
    public static Workload backlog(int envelopes) {
        return new Workload(envelopes, 0, true, 256, 1, 0, 0, 4, 200);
    }

    /** {@code envelopes} offered at {@code rate} on fresh threads, one envelope each. */
    public static Workload offered(int envelopes, double rate) {
        return new Workload(envelopes, rate, false, 256, 1, 0, 0, 4, 200);
    }

    public Workload withPrefill(int threadCount, int length, int history) {
        return new Workload(
                envelopes,
                rate,
                preload,
                threadCount,
                length,
                history,
                duplicateFraction,
                tenants,
                payloadBytes);
    }

    public Workload withRate(double perSecond) {
        return new Workload(
                envelopes,
                perSecond,
                false,
                threads,
                threadLength,
                prefill,
                duplicateFraction,
                tenants,
                payloadBytes);
    }

    public Workload withDuplicates(double fraction) {
        return new Workload(
                envelopes,
                rate,
                preload,
                threads,
                threadLength,
                prefill,
                fraction,
                tenants,
                payloadBytes);
    }
}
