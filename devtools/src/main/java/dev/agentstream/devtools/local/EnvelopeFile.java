package dev.agentstream.devtools.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A file of envelopes for the local run: one envelope per line, as Kafka's console producer sends
 * records. Blank lines and lines starting with {@code #} are skipped; every other line is sent as
 * it is, valid or not, so that a user can watch bad input reach the dead letters.
 */
final class EnvelopeFile {

    private EnvelopeFile() {}

    static List<String> read(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
    }
}
