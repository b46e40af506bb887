package dev.agentstream.bench.jmh;

import org.openjdk.jmh.Main;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs JMH with the given command line (see {@code -h}), first making the directory of the result
 * file that {@code -rff} names: JMH writes it at the end of the run and does not make it itself.
 */
public final class JmhMain {

    private JmhMain() {}

    public static void main(String[] args) throws IOException {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-rff")) {
                Path parent = Path.of(args[i + 1]).toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            }
        }
        Main.main(args);
    }
}
