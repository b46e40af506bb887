package dev.agentstream.devtools.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the simulator keeps of a chat request, so that a test can check what a client sends: the
 * protocol, the headers under lower-case names, and the body. The simulator never logs header
 * values or bodies, and {@link #toString()} shows header names and the body's length only.
 *
 * @param protocol the protocol of the endpoint the request was sent to
 * @param headers every header, its name in lower case, its values in the order received
 * @param bodyLength the length of the body in bytes
 * @param body the body as UTF-8 text (the prompt, for a test to look into)
 */
public record RecordedRequest(
        Protocol protocol, Map<String, List<String>> headers, int bodyLength, String body) {

    /** Copies the headers, lower-casing their names and merging those that differ in case. */
    public RecordedRequest {
        Map<String, List<String>> merged = new TreeMap<>();
        headers.forEach(
                (name, values) ->
                        merged.computeIfAbsent(
                                        name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                                .addAll(values));
        merged.replaceAll((name, values) -> List.copyOf(values));
        headers = Collections.unmodifiableMap(merged);
    }

    /** The first value of the header {@code name}, in any case. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    @Override
    public String toString() {
        return "RecordedRequest[protocol="
                + protocol
                + ", headers="
                + headers.keySet()
                + ", bodyLength="
                + bodyLength
                + "]";
    }
}
