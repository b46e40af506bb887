package dev.agentstream.devtools.sim;

import org.apache.flink.util.Preconditions;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A scripted misbehaviour of the simulated provider for one chat request, rendered in the shape of
 * the protocol that receives it. Arm faults with {@link LlmSimulator#failNext(int, Fault)} or
 * {@link LlmSimulator#script(Fault...)}.
 *
 * <p>Error statuses, rate limits, quota, reset and malformed replies hit a request whatever its
 * body says. The faults that shape an answer (context length, null content, tool call, truncated)
 * hit a valid request only: an invalid one gets its usual 400 and uses the fault up. A slow fault
 * delays whatever reply the request gets.
 */
public final class Fault {

    enum Kind {
        NONE,
        STATUS,
        RATE_LIMITED,
        QUOTA_EXHAUSTED,
        CONTEXT_LENGTH_EXCEEDED,
        RESET,
        TRUNCATED,
        MALFORMED,
        NULL_CONTENT,
        TOOL_CALL,
        SLOW
    }

    /**
     * The IMF-fixdate form of an HTTP-date (RFC 9110), e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}.
     */
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
                    .withZone(ZoneOffset.UTC);

    /** No fault: the request is answered normally. */
    static final Fault NONE = plain(Kind.NONE);

    private final Kind kind;
    private final int status;
    private final String retryAfter;
    private final Duration delay;

    private Fault(Kind kind, int status, String retryAfter, Duration delay) {
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
        this.delay = delay;
    }

    /**
     * An HTTP error with the protocol's error body for {@code httpStatus}; a 429 carries {@code
     * Retry-After: 1}, a 529 is Anthropic's {@code overloaded_error}.
     */
    public static Fault status(int httpStatus) {
        Preconditions.checkArgument(
                httpStatus >= 400 && httpStatus <= 599, "Not an error status: %s", httpStatus);
        return new Fault(Kind.STATUS, httpStatus, httpStatus == 429 ? "1" : null, Duration.ZERO);
    }

    /** A 429 rate limit with {@code Retry-After} in delay-seconds, rounded up. */
    public static Fault rateLimited(Duration retryAfter) {
        Preconditions.checkArgument(
                !retryAfter.isNegative(), "Retry-After must not be negative: %s", retryAfter);
        long seconds = retryAfter.plusNanos(999_999_999L).getSeconds();
        return new Fault(Kind.RATE_LIMITED, 0, String.valueOf(seconds), Duration.ZERO);
    }

    /** A 429 rate limit with {@code Retry-After} as an HTTP-date, to the second. */
    public static Fault rateLimitedUntil(Instant until) {
        return new Fault(
                Kind.RATE_LIMITED,
                0,
                HTTP_DATE.format(until.truncatedTo(ChronoUnit.SECONDS)),
                Duration.ZERO);
    }

    /** The account's quota or credit is spent: no point retrying on this provider. */
    public static Fault quotaExhausted() {
        return plain(Kind.QUOTA_EXHAUSTED);
    }

    /** The prompt is longer than the model's context window, whatever its real length. */
    public static Fault contextLengthExceeded() {
        return plain(Kind.CONTEXT_LENGTH_EXCEEDED);
    }

    /** The connection is closed without any response. */
    public static Fault reset() {
        return plain(Kind.RESET);
    }

    /**
     * A 200 whose {@code Content-Length} promises the whole answer, then half of it and the
     * connection closed.
     */
    public static Fault truncated() {
        return plain(Kind.TRUNCATED);
    }

    /** A 200 whose body is not JSON. */
    public static Fault malformed() {
        return plain(Kind.MALFORMED);
    }

    /** A 200 without text: a refusal, with the usage still counted. */
    public static Fault nullContent() {
        return plain(Kind.NULL_CONTENT);
    }

    /** A 200 whose answer is a call of the tool {@code simulated_tool} instead of text. */
    public static Fault toolCall() {
        return plain(Kind.TOOL_CALL);
    }

    /** The request gets its usual reply, after {@code delay} on top of the global latency. */
    public static Fault slow(Duration delay) {
        Preconditions.checkArgument(!delay.isNegative(), "Delay must not be negative: %s", delay);
        return new Fault(Kind.SLOW, 0, null, delay);
    }

    private static Fault plain(Kind kind) {
        return new Fault(kind, 0, null, Duration.ZERO);
    }

    Kind kind() {
        return kind;
    }

    /** The status of a {@link Kind#STATUS} fault. */
    int status() {
        return status;
    }

    Duration delay() {
        return delay;
    }

    /** True when the fault replaces the reply whatever the request says. */
    boolean ignoresRequest() {
        switch (kind) {
            case STATUS:
            case RATE_LIMITED:
            case QUOTA_EXHAUSTED:
            case RESET:
            case MALFORMED:
                return true;
            default:
                return false;
        }
    }

    /** The {@code Retry-After} header of this fault, if it has one. */
    Map<String, String> retryAfterHeaders() {
        return retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof Fault)) {
            return false;
        }
        Fault that = (Fault) other;
        return kind == that.kind
                && status == that.status
                && Objects.equals(retryAfter, that.retryAfter)
                && delay.equals(that.delay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, status, retryAfter, delay);
    }

    @Override
    public String toString() {
        switch (kind) {
            case STATUS:
                return "Fault[status " + status + "]";
            case RATE_LIMITED:
                return "Fault[rate limited, Retry-After " + retryAfter + "]";
            case SLOW:
                return "Fault[slow " + delay + "]";
            default:
                return "Fault[" + kind.name().toLowerCase(Locale.ROOT) + "]";
        }
    }
}
