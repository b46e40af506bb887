package dev.agentstream.udfs.llm;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP Retry-After header: delay seconds or an HTTP-date, capped. */
public final class RetryAfter {

    /** The longest wait a provider can ask for; beyond, a call falls back instead. */
    public static final Duration CAP = Duration.ofSeconds(60);

    private RetryAfter() {}

    /** The wait in milliseconds, 0 when absent or unreadable, at most {@link #CAP}. */
    public static long millis(String header) {
        return millis(header, Instant.now());
    }

    static long millis(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return 0;
        }
        String value = header.strip();
        long ms;
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                ms = Math.multiplyExact(Long.parseLong(value), 1000L);
            } catch (NumberFormatException | ArithmeticException pastALong) {
                return CAP.toMillis(); // more seconds than a long holds: longer than any cap
            }
        } else {
            try {
                ms = Math.multiplyExact(Long.parseLong(value), 1000L); // e.g. -1: no wait
            } catch (NumberFormatException | ArithmeticException notSeconds) {
                ms = untilDate(value, now);
            }
        }
        return Math.max(0, Math.min(ms, CAP.toMillis()));
    }

    private static long untilDate(String value, Instant now) {
        try {
            Instant at =
                    ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Duration.between(now, at).toMillis();
        } catch (DateTimeParseException | ArithmeticException unreadable) {
            return 0;
        }
    }
}
