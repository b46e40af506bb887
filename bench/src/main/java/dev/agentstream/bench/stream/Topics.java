package dev.agentstream.bench.stream;

/**
 * The topics of one round: the bus, usage, dead letters, the pass-through's output and the clients'
 * ingress (for a job that reads one).
 */
public record Topics(String bus, String usage, String deadLetters, String out, String ingress) {

    static Topics named(String round) {
        return new Topics(
                "bench-bus-" + round,
                "bench-usage-" + round,
                "bench-dead-" + round,
                "bench-out-" + round,
                "bench-in-" + round);
    }

    /** The consumer group of the round's job. */
    public String groupId() {
        return "bench-job-" + bus;
    }
}
