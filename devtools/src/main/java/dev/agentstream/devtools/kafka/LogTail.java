package dev.agentstream.devtools.kafka;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The last lines of a log file, to put into an error message. */
final class LogTail {

    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {}

    /** A block naming {@code file} with its last {@code lines} lines; never throws. */
    static String describe(Path file, int lines) {
        if (!Files.exists(file)) {
            return "\n--- " + file + ": missing";
        }
        try {
            String text = readEnd(file);
            if (text.isBlank()) {
                return "\n--- " + file + ": empty";
            }
            List<String> all = Arrays.asList(text.split("\\R"));
            List<String> tail = all.subList(Math.max(0, all.size() - lines), all.size());
            return "\n--- last lines of " + file + ":\n" + String.join("\n", tail);
        } catch (IOException e) {
            return "\n--- " + file + ": unreadable (" + e + ")";
        }
    }

    private static String readEnd(Path file) throws IOException {
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long start = Math.max(0, channel.size() - MAX_BYTES);
            ByteBuffer buffer = ByteBuffer.allocate((int) (channel.size() - start));
            channel.position(start);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // keep reading until the end
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        }
    }
}
