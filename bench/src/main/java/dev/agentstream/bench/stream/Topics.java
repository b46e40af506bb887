package dev.agentstream.bench.stream;

/** The topics of one round: the bus, usage, dead letters and the pass-through's output. */
public record Topics(String bus, String usage, String deadLetters, String out) {

    static Topics named(String round) {
        return new Topics(
                "bench-bus-" + round,
                "bench-usage-" + round,
                "bench-dead-" + round,
                "bench-out-" + round);
    }

    /** The consumer group of the round's job. */
    public String groupId() {
        return "bench-job-" + bus;
    }
}
