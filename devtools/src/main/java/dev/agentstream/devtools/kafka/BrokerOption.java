package dev.agentstream.devtools.kafka;

import picocli.CommandLine.Option;

/**
 * The {@code --bootstrap-servers} option that every command talking to the bus shares, mixed into a
 * command with picocli's {@code @Mixin}.
 */
public final class BrokerOption {

    @Option(
            names = "--bootstrap-servers",
            defaultValue = "127.0.0.1:9092",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    /** The bootstrap servers given, or the local broker's. */
    public String bootstrapServers() {
        return bootstrapServers;
    }
}
