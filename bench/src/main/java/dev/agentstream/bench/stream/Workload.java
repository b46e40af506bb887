package dev.agentstream.bench.stream;

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
