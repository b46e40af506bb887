package dev.agentstream.devtools.kafka;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Launches JVMs of this Java installation on the Kafka broker jars, with the broker's log4j
 * configuration. Their standard output and error go to files, never to the parent's console.
 */
final class BrokerJvm {

    private final Path java;
    private final Path lib;
    private final Path log4jConfig;

    BrokerJvm(Path lib, Path log4jConfig) {
        this.java = Path.of(System.getProperty("java.home"), "bin", "java");
        this.lib = lib;
        this.log4jConfig = log4jConfig;
    }

    Process start(String mainClass, List<String> jvmOptions, List<String> args, Path out, Path err)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmOptions);
        command.add("-Djava.awt.headless=true");
        command.add("-Dlog4j2.configurationFile=" + log4jConfig.toUri());
        command.add("-cp");
        command.add(lib + File.separator + "*");
        command.add(mainClass);
        command.addAll(args);
        Process process =
                new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
        process.getOutputStream().close();
        return process;
    }
}
