package dev.agentstream.bench.stream;

import dev.agentstream.devtools.load.LoadGenerator;
import dev.agentstream.devtools.load.LoadPlan;
import dev.agentstream.devtools.load.TokenSettings;

import java.time.Duration;

/**
 * A round's envelopes, sent with the load generator: first, when the workload asks for history, one
 * envelope per thread after its history (which the job answers, so that the history is read and the
 * job warm before anything is measured); then the measured envelopes on the same threads, as a
 * backlog (as fast as the producer goes) or at the workload's rate.
 */
final class Load implements AutoCloseable {

    /** Backlogs go out as fast as the producer takes them. */
    private static final double AS_FAST_AS_POSSIBLE = 1_000_000;

    private final LoadPlan base;
    private final Workload workload;
    private LoadGenerator running;
    private long sent;

    Load(String bootstrap, String topic, Workload workload, long seed, TokenSettings tokens) {
        this.workload = workload;
        this.base =
                LoadPlan.builder()
                        .bootstrapServers(bootstrap)
                        .topic(topic)
                        .tokens(tokens)
                        .tenants(workload.tenants())
                        .threads(workload.threads())
                        .threadLength(workload.threadLength())
                        .duplicateFraction(workload.duplicateFraction())
                        .from(BenchOrganism.CLIENT)
                        .to(BenchOrganism.AGENT)
                        .payloadElement(BenchOrganism.AGENT_PAYLOAD)
                        .payloadBytes(workload.payloadBytes())
                        .seed(seed)
                        .rate(AS_FAST_AS_POSSIBLE)
                        .count(workload.envelopes())
                        .maxLag(Duration.ofSeconds(1))
                        .build();
    }

    /** The answers the history phase waits for: one per thread. */
    long historyAnswers() {
        return workload.prefill() > 0 ? workload.threads() : 0;
    }

    /** Writes each thread's history and one envelope after it, and waits until all went out. */
    void sendHistory(Duration limit) throws InterruptedException {
        LoadPlan plan =
                base.toBuilder()
                        .prefill(workload.prefill(), BenchOrganism.NOTES)
                        .prefillElement(BenchOrganism.NOTES_PAYLOAD)
                        .threadLength(1)
                        .count(workload.threads())
                        .duplicateFraction(0)
                        .build();
        runToEnd(plan, limit);
    }

    /** Writes the whole backlog and waits until it went out. */
    void sendBacklog(Duration limit) throws InterruptedException {
        runToEnd(base, limit);
    }

    /** Starts sending the measured envelopes at {@code rate}. */
    void startSending(double rate) {
        running = LoadGenerator.start(base.toBuilder().rate(rate).build());
    }

    /** Waits for the measured envelopes to have gone out. */
    void finish(Duration limit) throws InterruptedException {
        if (running != null) {
            running.awaitDone(limit);
            sent += running.sent();
            check(running);
            running.close();
            running = null;
        }
    }

    /** Measured envelopes sent. */
    long sent() {
        return sent;
    }

    private void runToEnd(LoadPlan plan, Duration limit) throws InterruptedException {
        try (LoadGenerator g = LoadGenerator.start(plan)) {
            if (!g.awaitDone(limit)) {
                throw new IllegalStateException("the load generator did not finish in " + limit);
            }
            check(g);
            if (plan == base) {
                sent += g.sent();
            }
        }
    }

    private static void check(LoadGenerator g) {
        if (g.errors() > 0) {
            throw new IllegalStateException(
                    g.errors() + " envelopes not written: " + g.firstError().orElse("?"));
        }
    }

    @Override
    public void close() {
        if (running != null) {
            running.close();
        }
    }
}
