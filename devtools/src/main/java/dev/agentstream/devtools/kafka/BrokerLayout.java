package dev.agentstream.devtools.kafka;

import java.nio.file.Path;

/** Where a broker keeps its files inside its work directory. */
record BrokerLayout(Path workDir) {

    BrokerLayout {
        workDir = workDir.toAbsolutePath();
    }

    Path serverProperties() {
        return workDir.resolve("server.properties");
    }

    Path log4jConfig() {
        return workDir.resolve("log4j2.properties");
    }

    Path dataDir() {
        return workDir.resolve("data");
    }

    /** The broker's own log, written through log4j at WARN and above. */
    Path brokerLog() {
        return workDir.resolve("broker.log");
    }

    /** Standard output of the child process that runs {@code step}. */
    Path stdout(String step) {
        return workDir.resolve(step + ".stdout.log");
    }

    /** Standard error of the child process that runs {@code step}. */
    Path stderr(String step) {
        return workDir.resolve(step + ".stderr.log");
    }
}
