package dev.agentstream.devtools.cli;

import org.slf4j.Logger;
import picocli.CommandLine.IExecutionExceptionHandler;

import java.util.ArrayList;
import java.util.List;

/**
 * How the command-line tools report a failure: one line on standard error that names the cause
 * behind the cause (a client that "failed to construct" because a URL is invalid says both), the
 * stack trace only in the tool's log.
 */
public final class CommandErrors {

    private static final int MAX_CAUSES = 8;

    private CommandErrors() {}

    /**
     * The messages of {@code error} and its causes joined by {@code ": "} on one line, each said
     * once; a cause without a message is named by its class.
     */
    public static String describe(Throwable error) {
        List<String> parts = new ArrayList<>();
        Throwable t = error;
        for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause()) {
            String message = t.getMessage();
            if (t.getCause() != null && t.getCause().toString().equals(message)) {
                continue; // a wrapper that only repeats its cause
            }
            String part =
                    message == null || message.isBlank()
                            ? t.getClass().getSimpleName()
                            : message.strip().replaceAll("\\s*\\R\\s*", " ");
            if (parts.stream().noneMatch(p -> p.contains(part))) {
                parts.add(part);
            }
        }
        return String.join(": ", parts);
    }

    /** A handler that logs the whole error and prints {@code tool: describe(error)}, exit 1. */
    public static IExecutionExceptionHandler handler(String tool, Logger log) {
        return (error, command, parsed) -> {
            log.warn("{} failed", tool, error);
            command.getErr().println(tool + ": " + describe(error));
            command.getErr().flush();
            return 1;
        };
    }
}
