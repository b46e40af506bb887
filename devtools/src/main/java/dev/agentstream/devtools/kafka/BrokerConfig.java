package dev.agentstream.devtools.kafka;

import java.nio.file.Path;

/**
 * The configuration files of a single-node KRaft broker on loopback. Every internal topic has
 * replication factor 1 and min ISR 1, without which transactions cannot work on one node.
 */
final class BrokerConfig {

    private BrokerConfig() {}

    static String serverProperties(int brokerPort, int controllerPort, Path dataDir) {
        return String.join(
                "\n",
                "# Written by dev.agentstream.devtools.kafka.KafkaBroker; rewritten at each start.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + brokerPort,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + forwardSlashes(dataDir),
                "num.partitions=1",
                "auto.create.topics.enable=true",
                "group.initial.rebalance.delay.ms=0",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.max.timeout.ms=900000",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "# One partition per internal topic: created faster, plenty for one machine.",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.num.partitions=1",
                "share.coordinator.state.topic.num.partitions=1",
                "");
    }

    /** Log4j 2 configuration: WARN and above of every logger into {@code logFile}. */
    static String log4j2Properties(Path logFile) {
        return String.join(
                "\n",
                "status = warn",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + forwardSlashes(logFile),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{ISO8601} %-5p [%t] %c: %m%n",
                "rootLogger.level = warn",
                "rootLogger.appenderRef.file.ref = file",
                "");
    }

    /** Backslashes are escapes in properties files; forward slashes work on every platform. */
    private static String forwardSlashes(Path path) {
        return path.toAbsolutePath().toString().replace('\\', '/');
    }
}
